import Foundation
import HeraldCore

/// Results of the admin commands: the `result` of an ok response. JSON keys are snake_case,
/// instants ISO 8601 (see `AdminJSON`).
public struct StatusResult: Codable, Sendable, Equatable {
    public var version: String
    public var `protocol`: Int
    public var pid: Int32
    public var startedAt: Date
    public var database: String
    /// Messages in each state Herald still acts on (queued, scheduled, awaiting_consent, sending,
    /// sent), 0 where none. Final states are history: `queue --state delivered` lists them.
    public var queue: [String: Int]
    /// Messages the carrier accepted per second, over the last minute.
    public var sentPerSecond: Double
    /// Texts still `sent` that wait for a lookup by sid (reconciliation).
    public var awaitingReconciliation: Int
    public var pausedOrgs: [String]
    public var pausedSenders: [String]
    /// On a shared PostgreSQL queue, the instances whose heartbeat has not run out; absent on SQLite.
    public var instances: [InstanceStatus]?

    public init(
        version: String, pid: Int32, startedAt: Date, database: String, queue: [String: Int],
        sentPerSecond: Double, awaitingReconciliation: Int = 0, pausedOrgs: [String], pausedSenders: [String],
        instances: [InstanceStatus]? = nil
    ) {
        self.instances = instances
        self.awaitingReconciliation = awaitingReconciliation
        self.version = version
        self.protocol = AdminProtocol.version
        self.pid = pid
        self.startedAt = startedAt
        self.database = database
        self.queue = queue
        self.sentPerSecond = sentPerSecond
        self.pausedOrgs = pausedOrgs
        self.pausedSenders = pausedSenders
    }
}

/// One heraldd on a shared queue (docs/instances.md).
public struct InstanceStatus: Codable, Sendable, Equatable {
    public var id: String
    public var host: String
    public var pid: Int32
    public var version: String
    public var startedAt: Date
    /// Its last heartbeat.
    public var seenAt: Date
    /// The sender numbers it leases: only it sends from them.
    public var senders: [String]
    /// Whether it runs reconciliation, retention, consent expiry and reply forwarding for all.
    public var sharedWork: Bool
    /// Whether this is the heraldd that answered.
    public var answering: Bool

    public init(id: String, host: String, pid: Int32, version: String, startedAt: Date, seenAt: Date, senders: [String],
                sharedWork: Bool, answering: Bool) {
        self.id = id
        self.host = host
        self.pid = pid
        self.version = version
        self.startedAt = startedAt
        self.seenAt = seenAt
        self.senders = senders
        self.sharedWork = sharedWork
        self.answering = answering
    }
}

public struct MessageSummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var org: String?
    public var sender: String?
    public var from: String?
    public var to: String?
    public var kind: String?
    public var state: MessageState
    public var displayStatus: String
    public var heldReason: HeldReason?
    public var reason: String?
    public var detail: String?
    public var notBefore: Date
    public var expiresAt: Date?
    public var segments: Int?
    public var encoding: String?
    public var attempts: Int
    public var carrierSid: String?
    public var errorCode: Int?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, org: String?, sender: String?, from: String?, to: String?, kind: String?, state: MessageState,
        displayStatus: String, heldReason: HeldReason?, reason: String?, detail: String?, notBefore: Date, expiresAt: Date?,
        segments: Int?, encoding: String?, attempts: Int, carrierSid: String?, errorCode: Int?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.org = org
        self.sender = sender
        self.from = from
        self.to = to
        self.kind = kind
        self.state = state
        self.displayStatus = displayStatus
        self.heldReason = heldReason
        self.reason = reason
        self.detail = detail
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.segments = segments
        self.encoding = encoding
        self.attempts = attempts
        self.carrierSid = carrierSid
        self.errorCode = errorCode
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct MessageEventRecord: Codable, Sendable, Equatable {
    public var id: Int64
    public var messageID: Int64
    public var at: Date
    public var from: MessageState?
    public var to: MessageState
    public var reason: String?
    public var detail: String?
    public var httpStatus: Int?
    public var errorCode: Int?

    /// "messageId" so that snake_case conversion both ways meets "message_id".
    private enum CodingKeys: String, CodingKey {
        case id, at, from, to, reason, detail, httpStatus, errorCode
        case messageID = "messageId"
    }

    public init(id: Int64, messageID: Int64, at: Date, from: MessageState?, to: MessageState, reason: String?, detail: String?,
                httpStatus: Int?, errorCode: Int?) {
        self.id = id
        self.messageID = messageID
        self.at = at
        self.from = from
        self.to = to
        self.reason = reason
        self.detail = detail
        self.httpStatus = httpStatus
        self.errorCode = errorCode
    }
}

/// `show`: the message, its body (nil once retention purged it) and its whole timeline.
public struct MessageDetail: Codable, Sendable, Equatable {
    public var message: MessageSummary
    public var body: String?
    public var events: [MessageEventRecord]

    public init(message: MessageSummary, body: String?, events: [MessageEventRecord]) {
        self.message = message
        self.body = body
        self.events = events
    }
}

/// `why`: what holds a message and when it may go.
public struct WhyResult: Codable, Sendable, Equatable {
    public var id: Int64
    public var state: MessageState
    public var heldReason: HeldReason?
    /// When the dispatcher looks at it again; nil once the message has left Herald's hands.
    public var mayGoAt: Date?
    /// One sentence for an operator.
    public var explanation: String

    public init(id: Int64, state: MessageState, heldReason: HeldReason?, mayGoAt: Date?, explanation: String) {
        self.id = id
        self.state = state
        self.heldReason = heldReason
        self.mayGoAt = mayGoAt
        self.explanation = explanation
    }
}

/// `retry` and `cancel`: which messages changed, and which were left as they were and why.
public struct ChangeResult: Codable, Sendable, Equatable {
    public var changed: [Int64]
    public var skipped: [Skipped]

    public struct Skipped: Codable, Sendable, Equatable {
        public var id: Int64
        public var reason: String

        public init(id: Int64, reason: String) {
            self.id = id
            self.reason = reason
        }
    }

    public init(changed: [Int64], skipped: [Skipped] = []) {
        self.changed = changed
        self.skipped = skipped
    }
}

/// `pause` and `resume`.
public struct PauseResult: Codable, Sendable, Equatable {
    public var org: String?
    public var sender: String?
    public var paused: Bool
    /// False when it already was in the requested state.
    public var changed: Bool

    public init(org: String?, sender: String?, paused: Bool, changed: Bool) {
        self.org = org
        self.sender = sender
        self.paused = paused
        self.changed = changed
    }
}

/// `send`: the outbox row it became; the message keeps the same id.
public struct SendResult: Codable, Sendable, Equatable {
    public var id: Int64

    public init(id: Int64) {
        self.id = id
    }
}

/// `usage`: segments per calendar month in the org's timezone, this month and the 12 before.
public struct UsageResult: Codable, Sendable, Equatable {
    public var rows: [UsageRecord]

    public init(rows: [UsageRecord]) {
        self.rows = rows
    }
}

public struct UsageRecord: Codable, Sendable, Equatable {
    public var org: String
    /// Nil on an org's total row.
    public var user: String?
    /// "YYYY-MM" in the org's timezone.
    public var month: String
    public var messages: Int
    public var segments: Int

    public init(org: String, user: String?, month: String, messages: Int, segments: Int) {
        self.org = org
        self.user = user
        self.month = month
        self.messages = messages
        self.segments = segments
    }
}

public struct BackupResult: Codable, Sendable, Equatable {
    public var path: String
    public var bytes: Int64
    public var seconds: Double

    public init(path: String, bytes: Int64, seconds: Double) {
        self.path = path
        self.bytes = bytes
        self.seconds = seconds
    }
}

/// `watch`: after its ok response, one line per message event or inbound reply until the client
/// hangs up. `{"watch":"event",…}` or `{"watch":"inbound",…}`.
public struct WatchLine: Codable, Sendable, Equatable {
    public var watch: Kind
    public var event: MessageEventRecord?
    public var inbound: InboundRecord?

    public enum Kind: String, Codable, Sendable {
        case event
        case inbound
    }

    public init(event: MessageEventRecord) {
        watch = .event
        self.event = event
        inbound = nil
    }

    public init(inbound: InboundRecord) {
        watch = .inbound
        self.inbound = inbound
        event = nil
    }
}

public struct InboundRecord: Codable, Sendable, Equatable {
    public var id: Int64
    public var org: String?
    public var from: String
    public var to: String
    public var body: String?
    public var receivedAt: Date
    public var keyword: String?

    public init(id: Int64, org: String?, from: String, to: String, body: String?, receivedAt: Date, keyword: String?) {
        self.id = id
        self.org = org
        self.from = from
        self.to = to
        self.body = body
        self.receivedAt = receivedAt
        self.keyword = keyword
    }
}
