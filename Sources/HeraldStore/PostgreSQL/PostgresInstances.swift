import Foundation
import HeraldCore
import PostgresNIO

/// What this instance may claim on: the names its last lease turn left it holding, and the
/// instant (Unix ms) after which it claims nothing until a turn renews them. That instant falls
/// a third of a lease before the leases themselves run out, so a stalled instance stops sending
/// from a number well before another may take it.
struct HeldLeases: Sendable {
    var names: Set<String> = []
    var claimUntil: Int64 = 0

    func senders(at: Int64) -> [String] {
        at < claimUntil ? names.filter { $0 != SenderLeaseRule.sharedWork }.sorted() : []
    }

    func sharedWork(at: Int64) -> Bool {
        at < claimUntil && names.contains(SenderLeaseRule.sharedWork)
    }
}

/// Heartbeats and leases of the instances sharing this queue (docs/instances.md): the facts are
/// read, `SenderLeaseRule` plans, and the plan is applied in the same transaction, each change
/// guarded so that a row another instance took meanwhile is left alone.
extension PostgresQueue: InstanceLeases {
    private var sharing: InstanceIdentity {
        guard let instance else { preconditionFailure("lease turns need a PostgresQueue made with an instance identity") }
        return instance
    }

    public func takeLeaseTurn(now: Date, leaseTime: TimeInterval) async throws -> LeaseTurn {
        let me = sharing
        let at = now.millis
        let until = at + Int64(leaseTime * 1000)
        let turn = try await leaseLine.transaction(self) { session -> LeaseTurn in
            try await Self.serializeLeaseWrites(session)
            try await session.execute("""
                INSERT INTO instance (id, host, pid, version, started_at, seen_at, expires_at)
                VALUES (\(me.id), \(me.host), \(Int(me.pid)), \(me.version), \(me.startedAt.millis), \(at), \(until))
                ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, version = excluded.version,
                    started_at = excluded.started_at, seen_at = excluded.seen_at, expires_at = excluded.expires_at
                """)
            // Heartbeats a day gone are history nobody reads.
            try await session.execute("DELETE FROM instance WHERE expires_at < \(at - 86_400_000)")
            let numbers = try await session.values(
                "SELECT DISTINCT e164 FROM phone_number WHERE status = 'active'", as: String.self)
            var leases: [String: SenderLease] = [:]
            for row in try await session.rows("SELECT name, holder, expires_at FROM instance_lease") {
                let (name, holder, expires) = try row.decode((String, String, Int64).self)
                leases[name] = SenderLease(holder: holder, expiresAt: Date(millis: expires))
            }
            let live = try await session.values("SELECT id FROM instance WHERE expires_at > \(at)", as: String.self)
            let plan = SenderLeaseRule.plan(
                instance: me.id, numbers: numbers + [SenderLeaseRule.sharedWork], leases: leases, live: Set(live), now: now)
            let taken = plan.take.isEmpty ? [] : try await session.values("""
                INSERT INTO instance_lease (name, holder, taken_at, expires_at)
                SELECT name, \(me.id), \(at), \(until) FROM unnest(\(plan.take)::text[]) AS v(name)
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, taken_at = excluded.taken_at, expires_at = excluded.expires_at
                WHERE instance_lease.expires_at <= \(at)
                RETURNING name
                """, as: String.self)
            if !plan.renew.isEmpty {
                try await session.execute("""
                    UPDATE instance_lease SET expires_at = \(until) WHERE holder = \(me.id) AND name = ANY(\(plan.renew))
                    """)
            }
            let released = plan.release.isEmpty ? [] : try await session.values("""
                DELETE FROM instance_lease WHERE holder = \(me.id) AND name = ANY(\(plan.release)) RETURNING name
                """, as: String.self)
            let holding = try await session.values(
                "SELECT name FROM instance_lease WHERE holder = \(me.id) AND expires_at > \(at)", as: String.self)
            var reserved: [String: Date] = [:]
            if !taken.isEmpty {
                for row in try await session.rows("""
                    SELECT from_number, MAX(not_before) FROM message
                    WHERE state = 'scheduled' AND held_reason = 'sender_rate' AND from_number = ANY(\(taken))
                    GROUP BY from_number
                    """) {
                    let (number, slot) = try row.decode((String, Int64).self)
                    reserved[number] = Date(millis: slot)
                }
            }
            return LeaseTurn(
                senders: holding.filter { $0 != SenderLeaseRule.sharedWork }.sorted(),
                taken: taken.filter { $0 != SenderLeaseRule.sharedWork }.sorted(),
                released: released.filter { $0 != SenderLeaseRule.sharedWork }.sorted(),
                sharedWork: holding.contains(SenderLeaseRule.sharedWork),
                live: Set(live + [me.id]).sorted(),
                reservedUntil: reserved
            )
        }
        held.withLock {
            $0.names = Set(turn.senders + (turn.sharedWork ? [SenderLeaseRule.sharedWork] : []))
            $0.claimUntil = at + Int64(leaseTime * 2_000 / 3)
        }
        return turn
    }

    public func recoverOrphanedSending(now: Date, unknownOutcome: UnknownOutcomePolicy) async throws -> Int {
        try await write { session in
            let transitions = PostgresTransitions(session, now: now)
            let owners = SendingOwners.gone(now: now.millis)
            guard let (until, reason, detail) = unknownOutcome.placement(now: now, case: "left sending by an instance that is gone") else {
                return try await transitions.requeueSending(
                    of: owners, detail: "unknown outcome: left sending by an instance that is gone; re-posting with the same idempotency key"
                ).count
            }
            return try await transitions.holdSending(of: owners, until: until, reason: reason, detail: detail).count
        }
    }

    public func leave() async throws {
        let me = sharing
        held.withLock { $0 = HeldLeases() }
        do {
            try await leaseLine.transaction(self) { session in
                try await Self.serializeLeaseWrites(session)
                try await session.execute("DELETE FROM instance_lease WHERE holder = \(me.id)")
                try await session.execute("DELETE FROM instance WHERE id = \(me.id)")
            }
        } catch {
            await leaseLine.close()
            throw error
        }
        await leaseLine.close()
    }

    /// One lease turn or leave at a time across all instances, until the transaction ends. Their
    /// statements lock lease rows in different orders (a turn's takes, another's leave), and two
    /// at once could deadlock, failing one: a leave that fails leaves its leases to run out.
    /// Turns come every few seconds, so waiting for each other costs nothing.
    private static func serializeLeaseWrites(_ session: PostgresSession) async throws {
        try await session.execute("SELECT pg_advisory_xact_lock(\(leaseLock))")
    }

    /// The advisory lock key of the lease tables: "herald:l" in ASCII.
    static let leaseLock: Int64 = 0x6865_7261_6c64_3a6c

    public func liveInstances(now: Date) async throws -> [InstanceEntry] {
        let at = now.millis
        return try await read { session in
            var holdings: [String: [String]] = [:]
            for row in try await session.rows("SELECT holder, name FROM instance_lease WHERE expires_at > \(at) ORDER BY name") {
                let (holder, name) = try row.decode((String, String).self)
                holdings[holder, default: []].append(name)
            }
            return try await session.rows("""
                SELECT id, host, pid, version, started_at, seen_at, expires_at FROM instance WHERE expires_at > \(at) ORDER BY id
                """).map { row in
                let (id, host, pid, version, started, seen, expires) = try row.decode((String, String, Int, String, Int64, Int64, Int64).self)
                let names = holdings[id] ?? []
                return InstanceEntry(
                    identity: InstanceIdentity(id: id, host: host, pid: Int32(pid), version: version, startedAt: Date(millis: started)),
                    seenAt: Date(millis: seen), expiresAt: Date(millis: expires),
                    senders: names.filter { $0 != SenderLeaseRule.sharedWork },
                    sharedWork: names.contains(SenderLeaseRule.sharedWork)
                )
            }
        }
    }

    /// Which due texts this instance's claims may take: every one when it is alone on the queue;
    /// otherwise those from the numbers it holds, and, for the holder of the shared work, those from
    /// no active number (Core's rules hold or fail them; nobody leases such a number).
    func claimScope(at: Int64) -> ClaimScope {
        guard instance != nil else { return ClaimScope(everything: true, senders: [], strays: false) }
        return held.withLock { ClaimScope(everything: false, senders: $0.senders(at: at), strays: $0.sharedWork(at: at)) }
    }
}

/// The sender filter of a claim, as bound parameters: one statement text serves every instance.
struct ClaimScope: Sendable {
    var everything: Bool
    var senders: [String]
    var strays: Bool

    var isEmpty: Bool { !everything && senders.isEmpty && !strays }
}

/// Whose `sending` texts a recovery takes.
enum SendingOwners {
    /// Claimed by this instance (or, alone on the queue, by anyone): at start.
    case mine(String?)
    /// Claimed by an instance whose heartbeat ran out by `now` (Unix ms), or by none recorded.
    case gone(now: Int64)
}

extension SendingOwners {
    /// (every row, this claimer's id, the instant heartbeats are judged at) as the recovery
    /// statements bind them.
    var parameters: (all: Bool, mine: String?, gone: Int64?) {
        switch self {
        case let .mine(id): (id == nil, id, nil)
        case let .gone(now): (false, nil, now)
        }
    }
}
