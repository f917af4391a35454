/// Why a change to organizations, users, templates or credits was refused; nothing was written.
public enum DirectoryChangeError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownOrganization(String)
    case unknownUser(org: String, user: String)
    case unknownTemplate(org: String, name: String)
    case organizationExists(String)
    case userExists(org: String, user: String)
    /// Rows from herald.toml follow it at every reload: a change here would be undone silently.
    case managedByConfiguration(org: String, user: String?)
    case invalid(String)
    case creditsBelowZero(org: String, user: String, balance: Int, change: Int)

    public var description: String {
        switch self {
        case let .unknownOrganization(org): "no organization \(String(reflecting: org))"
        case let .unknownUser(org, user): "organization \(String(reflecting: org)) has no user \(String(reflecting: user))"
        case let .unknownTemplate(org, name): "organization \(String(reflecting: org)) has no template \(String(reflecting: name))"
        case let .organizationExists(org): "organization \(String(reflecting: org)) already exists (heraldctl org set changes it)"
        case let .userExists(org, user): "organization \(String(reflecting: org)) already has a user \(String(reflecting: user)) (heraldctl user set changes it)"
        case let .managedByConfiguration(org, user?):
            "user \(String(reflecting: user)) of \(String(reflecting: org)) is defined in herald.toml ([[orgs.users]]): change it there and reload heraldd"
        case let .managedByConfiguration(org, nil):
            "organization \(String(reflecting: org)) is defined in herald.toml ([[orgs]]): change it there and reload heraldd"
        case let .invalid(problem): problem
        case let .creditsBelowZero(org, user, balance, change):
            "user \(String(reflecting: user)) of \(String(reflecting: org)) has \(balance) credits; \(change) would leave fewer than 0"
        }
    }
}
