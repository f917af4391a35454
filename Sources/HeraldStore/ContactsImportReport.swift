import HeraldCore

/// What a contacts import did, or on a dry run what it would have done.
public struct ContactsImportReport: Sendable, Equatable {
    /// Data rows in the file, blank ones not counted.
    public var rows: Int
    /// Contacts written.
    public var imported: Int
    /// Their numbers.
    public var numbers: Int
    public var rejected: [ContactsImportRejection]
    public var ignoredColumns: [String]
    /// Consent ledger rows written: a number already in the stated state gets none.
    public var consents: [Consent]
    /// Pending texts canceled by opt-outs, `awaiting_consent` ones released by opt-ins.
    public var canceled: [Int64]
    public var released: [Int64]
    public var dryRun: Bool

    public struct Consent: Sendable, Equatable {
        public var row: Int
        public var number: String
        public var old: ConsentState
        public var new: ConsentState
        public var type: ConsentType
    }
}
