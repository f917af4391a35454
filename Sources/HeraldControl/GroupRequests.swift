import HeraldCore

/// Parameters of the contact group and broadcast commands. Members travel as the operator typed
/// them; heraldd normalizes numbers, so every client gets the same answer for a bad one.

/// `group_create` and `group_delete`: a group by name.
public struct GroupRef: AdminParameters {
    public var org: String
    public var name: String

    public init(org: String, name: String) {
        self.org = org
        self.name = name
    }

    public func validate(as command: String) throws(AdminError) {
        try requireText(org, "org", command)
        try requireText(name, "name", command)
    }
}

/// `group_list`: every org's groups, or one org's.
public struct GroupListRequest: AdminParameters {
    public var org: String?

    public init(org: String? = nil) {
        self.org = org
    }
}

/// `group_show`: a group and its first `limit` members.
public struct GroupShowRequest: AdminParameters {
    public var org: String
    public var name: String
    public var limit: Int

    public static let defaultLimit = 50

    public init(org: String, name: String, limit: Int = GroupShowRequest.defaultLimit) {
        self.org = org
        self.name = name
        self.limit = limit
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        org = try fields.decode(String.self, forKey: .org)
        name = try fields.decode(String.self, forKey: .name)
        limit = try fields.decodeIfPresent(Int.self, forKey: .limit) ?? Self.defaultLimit
    }

    public func validate(as command: String) throws(AdminError) {
        try requireText(org, "org", command)
        try requireText(name, "name", command)
        try QueueFilter.check(limit: limit)
    }
}

/// `group_add` / `group_remove`: contacts named by any of their numbers or by external id. A
/// large list goes as several requests (`pieces`), each applied on its own: adding or removing a
/// member twice changes nothing, so a piece may be sent again after an interruption.
public struct GroupMembers: AdminParameters {
    public var org: String
    public var name: String
    public var numbers: [String]
    /// `externalIds`, not `externalIDs`: the wire name `external_ids` converts back to this.
    public var externalIds: [String]

    public static let maxPerRequest = 5_000

    public init(org: String, name: String, numbers: [String] = [], externalIds: [String] = []) {
        self.org = org
        self.name = name
        self.numbers = numbers
        self.externalIds = externalIds
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        org = try fields.decode(String.self, forKey: .org)
        name = try fields.decode(String.self, forKey: .name)
        numbers = try fields.decodeIfPresent([String].self, forKey: .numbers) ?? []
        externalIds = try fields.decodeIfPresent([String].self, forKey: .externalIds) ?? []
    }

    public var count: Int { numbers.count + externalIds.count }

    public func validate(as command: String) throws(AdminError) {
        try requireText(org, "org", command)
        try requireText(name, "name", command)
        guard count > 0 else {
            throw AdminError(.badRequest, "\(command) needs \"numbers\" or \"external_ids\": the contacts to \(command == "group_add" ? "add" : "remove")")
        }
        guard count <= Self.maxPerRequest else {
            throw AdminError(.badRequest, "\(command) takes at most \(Self.maxPerRequest) members per request, not \(count); send them in several")
        }
    }

    /// The same members cut into requests whose lines each fit `AdminProtocol.maxLineBytes`.
    public static func pieces(org: String, name: String, numbers: [String], externalIds: [String], remove: Bool) throws -> [GroupMembers] {
        let all = numbers.map { (true, $0) } + externalIds.map { (false, $0) }
        let command = remove ? Admin.groupRemove : Admin.groupAdd
        var pieces: [GroupMembers] = []
        var start = 0
        while start < all.count {
            var take = min(maxPerRequest, all.count - start)
            while true {
                let slice = all[start..<(start + take)]
                let piece = GroupMembers(org: org, name: name, numbers: slice.filter(\.0).map(\.1), externalIds: slice.filter { !$0.0 }.map(\.1))
                // The id a client adds is a few bytes; keep a margin for it.
                if try command(piece).line(id: .number(Int64.max)).count <= AdminProtocol.maxLineBytes || take == 1 {
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
public struct BroadcastShowRequest: AdminParameters {
    /// The broadcast's own message id.
    public var message: Int64
    public var state: MessageState?
    public var limit: Int

    public init(message: Int64, state: MessageState? = nil, limit: Int = GroupShowRequest.defaultLimit) {
        self.message = message
        self.state = state
        self.limit = limit
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        message = try fields.decode(Int64.self, forKey: .message)
        state = try fields.decodeIfPresent(MessageState.self, forKey: .state)
        limit = try fields.decodeIfPresent(Int.self, forKey: .limit) ?? GroupShowRequest.defaultLimit
    }

    public func validate(as command: String) throws(AdminError) {
        try QueueFilter.check(limit: limit)
    }
}

/// A required text field that is present but blank is as missing as an absent one.
func requireText(_ value: String, _ field: String, _ command: String) throws(AdminError) {
    guard value.contains(where: { !$0.isWhitespace }) else { throw AdminError(.badRequest, "\(command) needs \"\(field)\"") }
}
