import HeraldCore

/// Parameters of the queue commands: reading messages, retrying, canceling, pausing, sending,
/// usage and backups (docs/admin.md).

/// `queue`: messages, newest first, filtered.
public struct QueueFilter: AdminParameters {
    public var state: MessageState?
    /// Only messages held for this reason (`unknown_outcome`, `org_window`, …).
    public var held: HeldReason?
    public var org: String?
    public var to: String?
    public var limit: Int

    public static let defaultLimit = 50
    public static let maxLimit = 10_000

    public init(state: MessageState? = nil, held: HeldReason? = nil, org: String? = nil, to: String? = nil,
                limit: Int = QueueFilter.defaultLimit) {
        self.state = state
        self.held = held
        self.org = org
        self.to = to
        self.limit = limit
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        state = try fields.decodeIfPresent(MessageState.self, forKey: .state)
        held = try fields.decodeIfPresent(HeldReason.self, forKey: .held)
        org = try fields.decodeIfPresent(String.self, forKey: .org)
        to = try fields.decodeIfPresent(String.self, forKey: .to)
        limit = try fields.decodeIfPresent(Int.self, forKey: .limit) ?? Self.defaultLimit
    }

    public func validate(as command: String) throws(AdminError) {
        try Self.check(limit: limit)
    }

    static func check(limit: Int) throws(AdminError) {
        guard (1...maxLimit).contains(limit) else { throw AdminError(.badRequest, "limit must be 1...\(maxLimit), not \(limit)") }
    }
}

/// `show` and `why`: one message by id.
public struct MessageRef: AdminParameters {
    public var message: Int64

    public init(_ message: Int64) {
        self.message = message
    }
}

/// `retry`: `{"message":7}`, or `{"failed":true}` with an optional `org`.
public struct RetryRequest: AdminParameters {
    public var message: Int64?
    public var failed: Bool?
    public var org: String?

    public init(_ target: RetryTarget) {
        switch target {
        case let .message(id): message = id
        case let .failed(org):
            failed = true
            self.org = org
        }
    }

    public var target: RetryTarget {
        get throws(AdminError) {
            switch (message, failed ?? false) {
            case let (id?, false) where org == nil: return .message(id)
            case (nil, true): return .failed(org: org)
            default: throw AdminError(.badRequest, "retry takes either \"message\" or \"failed\":true (with an optional \"org\")")
            }
        }
    }

    public func validate(as command: String) throws(AdminError) { _ = try target }
}

public enum RetryTarget: Sendable, Equatable {
    case message(Int64)
    /// Every failed message, or those of one org.
    case failed(org: String?)
}

/// `cancel`: `{"message":7}`, or every message of an org in one state Herald still holds.
public struct CancelRequest: AdminParameters {
    public var message: Int64?
    public var org: String?
    public var state: MessageState?

    public init(_ target: CancelTarget) {
        switch target {
        case let .message(id): message = id
        case let .matching(org, state):
            self.org = org
            self.state = state
        }
    }

    public var target: CancelTarget {
        get throws(AdminError) {
            switch (message, org, state) {
            case let (id?, nil, nil): return .message(id)
            case let (nil, org?, state?): return .matching(org: org, state: state)
            default: throw AdminError(.badRequest, "cancel takes either \"message\" or both \"org\" and \"state\"")
            }
        }
    }

    public func validate(as command: String) throws(AdminError) { _ = try target }
}

public enum CancelTarget: Sendable, Equatable {
    case message(Int64)
    /// Every message of an org in a state Herald still holds (queued, scheduled, awaiting_consent).
    case matching(org: String, state: MessageState)
}

/// `pause` and `resume`: an org, or a sender by its provisioned number.
public struct PauseRequest: AdminParameters {
    public var org: String?
    public var sender: String?

    public init(_ target: PauseTarget) {
        switch target {
        case let .org(org): self.org = org
        case let .sender(number): sender = number
        }
    }

    public var target: PauseTarget {
        get throws(AdminError) {
            switch (org, sender) {
            case let (org?, nil): return .org(org)
            case let (nil, sender?): return .sender(sender)
            default: throw AdminError(.badRequest, "pause and resume take either \"org\" or \"sender\"")
            }
        }
    }

    public func validate(as command: String) throws(AdminError) { _ = try target }
}

public enum PauseTarget: Sendable, Equatable {
    case org(String)
    /// A sender by its provisioned number (E.164).
    case sender(String)
}

/// `send`: one text, queued through the outbox like a producer's.
public struct SendRequest: AdminParameters {
    public var org: String
    /// The sending user's id or provisioned number.
    public var from: String
    public var to: String
    public var kind: String
    public var text: String

    public init(org: String, from: String, to: String, kind: String = "conversational", text: String) {
        self.org = org
        self.from = from
        self.to = to
        self.kind = kind
        self.text = text
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        org = try fields.decode(String.self, forKey: .org)
        from = try fields.decode(String.self, forKey: .from)
        to = try fields.decode(String.self, forKey: .to)
        kind = try fields.decodeIfPresent(String.self, forKey: .kind) ?? "conversational"
        text = try fields.decode(String.self, forKey: .text)
    }
}

/// `usage`: every org, or one org, or one of its users.
public struct UsageRequest: AdminParameters {
    public var org: String?
    public var user: String?

    public init(org: String? = nil, user: String? = nil) {
        self.org = org
        self.user = user
    }
}

/// `backup`: an online copy of the queue database.
public struct BackupRequest: AdminParameters {
    /// Absolute: the daemon's working directory is nobody's business.
    public var path: String
    /// Replaces an existing file; never the live database, a symlink or a directory.
    public var force: Bool

    public init(path: String, force: Bool = false) {
        self.path = path
        self.force = force
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        path = try fields.decode(String.self, forKey: .path)
        force = try fields.decodeIfPresent(Bool.self, forKey: .force) ?? false
    }

    public func validate(as command: String) throws(AdminError) {
        guard path.hasPrefix("/") else { throw AdminError(.badRequest, "backup path must be absolute, not \(String(reflecting: path))") }
    }
}

/// Commands that name one organization and nothing else (`org_show`, `user_list`, …).
public struct OrganizationRef: AdminParameters {
    public var org: String

    public init(_ org: String) {
        self.org = org
    }
}
