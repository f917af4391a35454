public struct CreditAllocation: Sendable, Equatable {
    public var org: String
    public var user: String
    public var old: Int?
    public var new: Int
    /// Messages held for credits made due again.
    public var released: Int
}
