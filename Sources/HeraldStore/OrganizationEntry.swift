import HeraldCore

/// An organization as `heraldctl org show` lists it.
public struct OrganizationEntry: Sendable, Equatable {
    public var id: String
    /// `config` (herald.toml) or `admin` (heraldctl).
    public var managedBy: String
    public var paused: Bool
    public var settings: OrganizationSettings
    public var users: [UserEntry]
}
