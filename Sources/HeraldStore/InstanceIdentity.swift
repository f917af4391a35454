import Foundation

/// One heraldd among several on a shared queue, as its heartbeat row names it (docs/instances.md).
public struct InstanceIdentity: Sendable, Equatable {
    /// `[instance] id`, or the hostname.
    public var id: String
    public var host: String
    public var pid: Int32
    public var version: String
    public var startedAt: Date

    public init(id: String, host: String, pid: Int32, version: String, startedAt: Date) {
        self.id = id
        self.host = host
        self.pid = pid
        self.version = version
        self.startedAt = startedAt
    }
}

/// A live instance, as `heraldctl status` lists it.
public struct InstanceEntry: Sendable, Equatable {
    public var identity: InstanceIdentity
    /// Its last heartbeat, and when it runs out.
    public var seenAt: Date
    public var expiresAt: Date
    /// The sender numbers it holds, sorted.
    public var senders: [String]
    /// Whether it runs the shared work (reconciliation, retention, consent expiry, reply forwarding).
    public var sharedWork: Bool

    public init(identity: InstanceIdentity, seenAt: Date, expiresAt: Date, senders: [String], sharedWork: Bool) {
        self.identity = identity
        self.seenAt = seenAt
        self.expiresAt = expiresAt
        self.senders = senders
        self.sharedWork = sharedWork
    }
}

/// What one lease turn left this instance with.
public struct LeaseTurn: Sendable, Equatable {
    /// Sender numbers held now, sorted: claims take texts from these only.
    public var senders: [String]
    /// Of those, the ones taken at this turn (from nobody, or from an instance whose lease ran out).
    public var taken: [String]
    /// Numbers handed back at this turn to the live instance preferred for them.
    public var released: [String]
    /// Whether this instance now runs the shared work.
    public var sharedWork: Bool
    /// Instances whose heartbeat has not run out, this one included, sorted.
    public var live: [String]
    /// For numbers taken at this turn, the latest slot their former holder's rate limiter gave a
    /// text it held back (`sender_rate`): those texts go at their slots, the new holder's own after.
    public var reservedUntil: [String: Date]

    public init(senders: [String], taken: [String], released: [String], sharedWork: Bool, live: [String],
                reservedUntil: [String: Date] = [:]) {
        self.reservedUntil = reservedUntil
        self.senders = senders
        self.taken = taken
        self.released = released
        self.sharedWork = sharedWork
        self.live = live
    }
}
