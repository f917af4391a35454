/// One user's credits as `heraldctl credits show` lists them.
public struct CreditBalance: Sendable, Equatable {
    public var org: String
    public var user: String
    public var name: String
    /// nil: not metered, sends without limit.
    public var credits: Int?
    /// Segments of this calendar month (the org's timezone), from usage.
    public var usedThisMonth: Int
    /// Messages held `no_credits` now.
    public var held: Int
}
