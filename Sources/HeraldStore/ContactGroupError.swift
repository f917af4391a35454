/// Why a contact group change was refused, worded for the operator at heraldctl.
public enum ContactGroupError: Error, Sendable, Equatable, CustomStringConvertible {
    case exists(org: String, name: String)
    case unknown(org: String, name: String)
    case badName(String)
    /// A group whose broadcast is still fanning out keeps its members until the fan-out is done.
    case broadcastInProgress(name: String, broadcastID: Int64)

    public var description: String {
        switch self {
        case let .exists(org, name):
            "organization \(org) already has a group named \(String(reflecting: name)); add members to it or pick another name"
        case let .unknown(org, name):
            "organization \(org) has no group named \(String(reflecting: name)); heraldctl group list \(org) shows its groups"
        case let .badName(name):
            "group name \(String(reflecting: name)) is empty or longer than \(ContactGroups.maxNameLength) characters"
        case let .broadcastInProgress(name, id):
            "group \(String(reflecting: name)) is being broadcast to (broadcast \(id)); delete it once heraldctl broadcast show \(id) says done"
        }
    }
}
