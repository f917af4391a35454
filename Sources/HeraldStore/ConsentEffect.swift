import HeraldCore

/// What a consent change did besides its ledger row.
public struct ConsentEffect: Sendable, Equatable {
    /// The state before; equal to the new one when nothing changed and no row was written.
    public var old: ConsentState
    public var ledgerID: Int64?
    /// Pending texts canceled by an opt-out, or opt-in requests made moot by an opt-in.
    public var canceled: [Int64] = []
    /// `awaiting_consent` texts queued again by an opt-in.
    public var released: [Int64] = []

    public var changed: Bool { ledgerID != nil }
}
