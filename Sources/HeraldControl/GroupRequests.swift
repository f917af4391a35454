/// Requests of the contact group and broadcast commands. Members travel as the operator typed
/// them; heraldd normalizes numbers, so every client gets the same answer for a bad one.
public enum GroupCommand: Sendable, Equatable {
    case create(org: String, name: String)
    case list(org: String?)
    case show(org: String, name: String, limit: Int)
    case add(GroupMembers)
    case remove(GroupMembers)
    case delete(org: String, name: String)

    public static let names = ["group_create", "group_list", "group_show", "group_add", "group_remove", "group_delete"]

    public var name: String {
        switch self {
        case .create: "group_create"
        case .list: "group_list"
        case .show: "group_show"
        case .add: "group_add"
        case .remove: "group_remove"
        case .delete: "group_delete"
        }
    }

    /// Membership decides who a broadcast texts: only admins change it.
    public var changesState: Bool {
        switch self {
        case .list, .show: false
        case .create, .add, .remove, .delete: true
        }
    }

    /// The request fields: (org, name, numbers, external ids, limit).
    public var wire: (org: String?, name: String?, numbers: [String]?, externalIDs: [String]?, limit: Int?) {
        switch self {
        case let .create(org, name), let .delete(org, name): (org, name, nil, nil, nil)
        case let .list(org): (org, nil, nil, nil, nil)
        case let .show(org, name, limit): (org, name, nil, nil, limit)
        case let .add(members), let .remove(members):
            (members.org, members.name, members.numbers.isEmpty ? nil : members.numbers,
             members.externalIDs.isEmpty ? nil : members.externalIDs, nil)
        }
    }

    public static let fields: [String: Set<String>] = [
        "group_create": ["org", "name"], "group_delete": ["org", "name"], "group_list": ["org"],
        "group_show": ["org", "name", "limit"],
        "group_add": ["org", "name", "numbers", "external_ids"], "group_remove": ["org", "name", "numbers", "external_ids"],
    ]

    public static func decode(
        _ command: String, org: String?, name: String?, numbers: [String]?, externalIDs: [String]?, limit: Int?
    ) throws(AdminError) -> GroupCommand {
        func required(_ value: String?, _ field: String) throws(AdminError) -> String {
            guard let value, value.contains(where: { !$0.isWhitespace }) else { throw AdminError(.badRequest, "\(command) needs \"\(field)\"") }
            return value
        }
        switch command {
        case "group_create": return .create(org: try required(org, "org"), name: try required(name, "name"))
        case "group_delete": return .delete(org: try required(org, "org"), name: try required(name, "name"))
        case "group_list": return .list(org: org)
        case "group_show":
            let limit = limit ?? GroupCommand.defaultLimit
            guard (1...QueueFilter.maxLimit).contains(limit) else {
                throw AdminError(.badRequest, "limit must be 1...\(QueueFilter.maxLimit), not \(limit)")
            }
            return .show(org: try required(org, "org"), name: try required(name, "name"), limit: limit)
        case "group_add", "group_remove":
            let members = GroupMembers(org: try required(org, "org"), name: try required(name, "name"),
                                       numbers: numbers ?? [], externalIDs: externalIDs ?? [])
            guard !members.numbers.isEmpty || !members.externalIDs.isEmpty else {
                throw AdminError(.badRequest, "\(command) needs \"numbers\" or \"external_ids\": the contacts to \(command == "group_add" ? "add" : "remove")")
            }
            guard members.count <= GroupMembers.maxPerRequest else {
                throw AdminError(.badRequest, "\(command) takes at most \(GroupMembers.maxPerRequest) members per request, not \(members.count); send them in several")
            }
            return command == "group_add" ? .add(members) : .remove(members)
        default: throw AdminError(.unknownCommand, "unknown command \(String(reflecting: command))")
        }
    }

    public static let defaultLimit = 50
}

/// `group_add` / `group_remove`: contacts named by any of their numbers or by external id. A
/// large list goes as several requests (`pieces`), each applied on its own: adding or removing a
/// member twice changes nothing, so a piece may be sent again after an interruption.
public struct GroupMembers: Sendable, Equatable {
    public var org: String
    public var name: String
    public var numbers: [String]
    public var externalIDs: [String]

    public static let maxPerRequest = 5_000

    public init(org: String, name: String, numbers: [String] = [], externalIDs: [String] = []) {
        self.org = org
        self.name = name
        self.numbers = numbers
        self.externalIDs = externalIDs
    }

    public var count: Int { numbers.count + externalIDs.count }

    /// The same members cut into requests whose lines each fit `AdminProtocol.maxLineBytes`.
    public static func pieces(org: String, name: String, numbers: [String], externalIDs: [String], remove: Bool) throws -> [GroupMembers] {
        let all = numbers.map { (true, $0) } + externalIDs.map { (false, $0) }
        var pieces: [GroupMembers] = []
        var start = 0
        while start < all.count {
            var take = min(maxPerRequest, all.count - start)
            while true {
                let slice = all[start..<(start + take)]
                let piece = GroupMembers(org: org, name: name, numbers: slice.filter(\.0).map(\.1), externalIDs: slice.filter { !$0.0 }.map(\.1))
                let command: AdminCommand = .group(remove ? .remove(piece) : .add(piece))
                // The id a client adds is a few bytes; keep a margin for it.
                if try AdminRequest(id: .number(Int64.max), command).line().count <= AdminProtocol.maxLineBytes || take == 1 {
                    pieces.append(piece)
                    start += take
                    break
                }
                take /= 2
            }
        }
        return pieces
    }
}

/// `broadcast_show`: a broadcast, its messages counted by state and reason, and its first
/// `limit` recipients (those in `state` only, if given).
public struct BroadcastShowRequest: Sendable, Equatable {
    public var id: Int64
    public var state: String?
    public var limit: Int

    public init(id: Int64, state: String? = nil, limit: Int = GroupCommand.defaultLimit) {
        self.id = id
        self.state = state
        self.limit = limit
    }
}
