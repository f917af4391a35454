import HeraldCore

/// A consent change as a caller asks for it; the ledger fills in `at` and the old state.
public struct ConsentRequest: Sendable, Equatable {
    public var org: String
    public var number: String
    public var state: ConsentState
    public var type: ConsentType
    /// A staff username, the contact's email for self-service, or `Unknown` for an SMS reply.
    public var changedBy: String
    public var sourceMessageID: Int64?
    public var sourceInboundID: Int64?
    /// The wording the contact agreed to, or its version: the proof a sender must produce.
    public var wording: String?
    public var note: String?

    public init(
        org: String, number: String, state: ConsentState, type: ConsentType, changedBy: String,
        sourceMessageID: Int64? = nil, sourceInboundID: Int64? = nil, wording: String? = nil, note: String? = nil
    ) {
        self.org = org
        self.number = number
        self.state = state
        self.type = type
        self.changedBy = changedBy
        self.sourceMessageID = sourceMessageID
        self.sourceInboundID = sourceInboundID
        self.wording = wording
        self.note = note
    }
}
