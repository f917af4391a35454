import HeraldCore

public struct UserEntry: Sendable, Equatable {
    public var org: String
    public var id: String
    public var managedBy: String
    public var paused: Bool
    public var settings: UserSettings
    /// The user's active provisioned number.
    public var number: String?
    /// nil: not metered.
    public var credits: Int?
}
