import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

@testable import HeraldStore

/// Several instances on one PostgreSQL queue (docs/instances.md): heartbeats, sender leases and the
/// shared work as the store applies `SenderLeaseRule`, and claims limited to what an instance holds.
@Suite("Store: PostgreSQL instances and leases")
struct PostgresInstanceLeaseTests {
    static let numbers = [StoreFixture.bob, StoreFixture.alice, StoreFixture.carol].sorted()
    static let leaseTime: TimeInterval = 15

    @Test("alone, an instance takes every sender and the shared work; a second one gets its preferred share at the next turns, and no number is held twice")
    func leasesSpreadOverLiveInstances() async throws {
        let fixture = try await StoreFixture(.postgresql)
        let a = try fixture.instance("a"), b = try fixture.instance("b")
        let first = try await a.queue.takeLeaseTurn(now: fixture.now, leaseTime: Self.leaseTime)
        #expect(first.senders == Self.numbers)
        #expect(first.taken == Self.numbers)
        #expect(first.sharedWork)
        #expect(first.live == ["a"])

        // b arrives: nothing is free yet, so it holds nothing until a hands its share back.
        let arrived = try await b.queue.takeLeaseTurn(now: fixture.now + 1, leaseTime: Self.leaseTime)
        #expect(arrived.senders.isEmpty)
        #expect(arrived.live == ["a", "b"])
        let handedBack = try await a.queue.takeLeaseTurn(now: fixture.now + 2, leaseTime: Self.leaseTime)
        let all = Self.numbers + [SenderLeaseRule.sharedWork]
        let heldByA = Dictionary(uniqueKeysWithValues: all.map { ($0, SenderLease(holder: "a", expiresAt: fixture.now + Self.leaseTime)) })
        let assigned = SenderLeaseRule.assignment(numbers: all, leases: heldByA, live: ["a", "b"], now: fixture.now + 2)
        let preferredByB = all.filter { assigned[$0] == "b" }
        #expect(handedBack.released == preferredByB.filter { $0 != SenderLeaseRule.sharedWork })
        let settled = try await b.queue.takeLeaseTurn(now: fixture.now + 3, leaseTime: Self.leaseTime)
        #expect(settled.taken == preferredByB.filter { $0 != SenderLeaseRule.sharedWork })
        #expect(settled.sharedWork == preferredByB.contains(SenderLeaseRule.sharedWork))
        let kept = try await a.queue.takeLeaseTurn(now: fixture.now + 4, leaseTime: Self.leaseTime)
        #expect(Set(kept.senders).isDisjoint(with: settled.senders))
        #expect((kept.senders + settled.senders).sorted() == Self.numbers)
        #expect(kept.sharedWork != settled.sharedWork)

        let listed = try await a.queue.liveInstances(now: fixture.now + 4)
        #expect(listed.map(\.identity.id) == ["a", "b"])
        #expect(listed.map(\.senders) == [kept.senders, settled.senders])
        #expect(listed.first?.identity.host == "test-host")
    }

    @Test("claims take texts only from the numbers the instance holds; a text from no active number goes to the holder of the shared work")
    func claimsFollowTheLeases() async throws {
        let fixture = try await StoreFixture(.postgresql)
        try await fixture.optIn(StoreFixture.contact, org: "globex")
        for sender in ["alice", "carol"] { try await fixture.produce(sender: sender) }
        try await fixture.produce(org: "globex", sender: "bob")
        try await fixture.ingest()
        let a = try fixture.instance("a")
        // Before its first turn an instance holds nothing, so it claims nothing.
        #expect(try await a.queue.claimDue(now: fixture.now, limit: 10, recording: [], lookback: { _ in nil }) { _ in .send }.claimed.isEmpty)
        #expect(try await a.queue.nextDue() == nil)

        let b = try fixture.instance("b")
        let now = fixture.now
        _ = try await a.queue.takeLeaseTurn(now: now, leaseTime: Self.leaseTime)
        _ = try await b.queue.takeLeaseTurn(now: now, leaseTime: Self.leaseTime)
        let turnA = try await a.queue.takeLeaseTurn(now: now, leaseTime: Self.leaseTime)
        let turnB = try await b.queue.takeLeaseTurn(now: now, leaseTime: Self.leaseTime)
        let claimedA = try await a.queue.claimDue(now: now, limit: 10, recording: [], lookback: { _ in nil }) { _ in .send }.claimed
        let claimedB = try await b.queue.claimDue(now: now, limit: 10, recording: [], lookback: { _ in nil }) { _ in .send }.claimed
        #expect(Set(claimedA.map(\.from)) == Set(turnA.senders))
        #expect(Set(claimedB.map(\.from)) == Set(turnB.senders))
        #expect(claimedA.count + claimedB.count == 3)
        #expect(try await fixture.count("SELECT COUNT(*) FROM message WHERE state = 'sending' AND claimed_by = 'a'") == claimedA.count)

        // A text whose number is no longer active: its lease runs out unrenewed, nobody takes it
        // again, and the holder of the shared work claims the text (Core's rules then judge it).
        try await fixture.produce(sender: "carol", body: "from a number released since")
        try await fixture.ingest()
        try await fixture.execute("UPDATE phone_number SET status = 'released' WHERE e164 = ?", [StoreFixture.carol])
        let later = now + Self.leaseTime + 1
        let sharedWorkHolder = try await a.queue.takeLeaseTurn(now: later, leaseTime: Self.leaseTime).sharedWork ? "a" : "b"
        #expect(try await !b.queue.takeLeaseTurn(now: later, leaseTime: Self.leaseTime).senders.contains(StoreFixture.carol))
        let stray = try await a.queue.claimDue(now: later, limit: 10, recording: [], lookback: { _ in nil }) { _ in .send }.claimed
            + (try await b.queue.claimDue(now: later, limit: 10, recording: [], lookback: { _ in nil }) { _ in .send }.claimed)
        #expect(stray.map(\.from) == [StoreFixture.carol])
        #expect(try await fixture.count("SELECT COUNT(*) FROM message WHERE body = 'from a number released since' AND claimed_by = ?",
                                        [sharedWorkHolder]) == 1)
    }

    @Test("a clean stop hands everything back at once; a killed instance's leases are taken once they run out, and its sending texts recovered")
    func leavingAndDying() async throws {
        let fixture = try await StoreFixture(.postgresql)
        for _ in 0..<3 { try await fixture.produce(sender: "alice") }
        try await fixture.ingest()
        let a = try fixture.instance("a"), b = try fixture.instance("b")
        let now = fixture.now
        _ = try await a.queue.takeLeaseTurn(now: now, leaseTime: Self.leaseTime)
        let claimed = try await a.queue.claimDue(now: now, limit: 10, recording: [], lookback: { _ in nil }) { _ in .send }.claimed
        #expect(claimed.count == 3)

        // a goes silent: b cannot take its numbers while a's leases last, nor recover its texts.
        let early = try await b.queue.takeLeaseTurn(now: now + 5, leaseTime: Self.leaseTime)
        #expect(early.senders.isEmpty && !early.sharedWork)
        #expect(try await b.queue.recoverOrphanedSending(now: now + 5, unknownOutcome: .repost) == 0)
        // Once they run out, b takes everything, and with the shared work recovers what a left sending.
        let late = try await b.queue.takeLeaseTurn(now: now + Self.leaseTime + 1, leaseTime: Self.leaseTime)
        #expect(late.senders == Self.numbers)
        #expect(late.sharedWork)
        #expect(late.live == ["b"])
        #expect(try await b.queue.recoverOrphanedSending(now: now + Self.leaseTime + 1, unknownOutcome: .repost) == 3)
        #expect(try await fixture.count("SELECT COUNT(*) FROM message WHERE state = 'queued' AND claimed_by IS NULL") == 3)
        #expect(try await fixture.count("""
            SELECT COUNT(*) FROM message_event WHERE to_state = 'queued' AND detail LIKE '%left sending by an instance that is gone%'
            """) == 3)

        // b stops cleanly: its heartbeat and leases go, and a (back) takes all at its next turn.
        try await b.queue.leave()
        #expect(try await fixture.count("SELECT COUNT(*) FROM instance_lease") == 0)
        let back = try await a.queue.takeLeaseTurn(now: now + Self.leaseTime + 2, leaseTime: Self.leaseTime)
        #expect(back.senders == Self.numbers && back.sharedWork && back.live == ["a"])
    }

    @Test("a lease turn and a hand-back do not wait for the pool: with every pooled connection busy, both finish")
    func turnsDoNotQueueBehindThePool() async throws {
        let fixture = try await StoreFixture(.postgresql)
        let a = try fixture.instance("a")
        let (held, holding) = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The instance's two pooled connections, each held as a long ingest transaction holds one.
            for _ in 0..<2 {
                group.addTask {
                    try await a.queue.connect { _ in
                        holding.yield()
                        try? await Task.sleep(for: .seconds(120))
                    }
                }
            }
            _ = try await Self.within(.seconds(30), "holding both pooled connections") {
                var count = 0
                for await _ in held {
                    count += 1
                    if count == 2 { break }
                }
                return count
            }
            let turn = try await Self.within(.seconds(20), "a lease turn") {
                try await a.queue.takeLeaseTurn(now: fixture.now, leaseTime: Self.leaseTime)
            }
            #expect(turn.senders == Self.numbers)
            try await Self.within(.seconds(20), "a hand-back") { try await a.queue.leave() }
            #expect(try await fixture.count("SELECT COUNT(*) FROM instance_lease") == 0)
            group.cancelAll()
        }
    }

    /// `body`'s result, or ``WaitTimedOut`` naming `what` once `limit` has passed.
    static func within<T: Sendable>(
        _ limit: Duration, _ what: String, fileID: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask { try? await Task.sleep(for: limit); return nil }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw WaitTimedOut(what: what + " while the pool was busy", timeout: limit, location: "\(fileID):\(line)")
            }
            return value
        }
    }

    @Test("at start an instance recovers only the texts it left sending itself")
    func startRecoversOnlyItsOwn() async throws {
        let fixture = try await StoreFixture(.postgresql)
        for sender in ["alice", "carol"] { try await fixture.produce(sender: sender) }
        try await fixture.ingest()
        let a = try fixture.instance("a"), b = try fixture.instance("b")
        let now = fixture.now
        _ = try await a.queue.takeLeaseTurn(now: now, leaseTime: Self.leaseTime)
        _ = try await b.queue.takeLeaseTurn(now: now, leaseTime: Self.leaseTime)
        _ = try await a.queue.takeLeaseTurn(now: now, leaseTime: Self.leaseTime)
        _ = try await b.queue.takeLeaseTurn(now: now, leaseTime: Self.leaseTime)
        let claimedA = try await a.queue.claimDue(now: now, limit: 10, recording: [], lookback: { _ in nil }) { _ in .send }.claimed
        let claimedB = try await b.queue.claimDue(now: now, limit: 10, recording: [], lookback: { _ in nil }) { _ in .send }.claimed
        #expect(claimedA.count + claimedB.count == 2)
        #expect(try await a.queue.reconcileSending(now: now, unknownOutcome: .repost) == claimedA.count)
        #expect(try await fixture.count("SELECT COUNT(*) FROM message WHERE state = 'sending'") == claimedB.count)
    }
}
