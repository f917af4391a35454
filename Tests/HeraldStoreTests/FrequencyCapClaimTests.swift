import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Synchronization
import Testing

/// The store's half of frequency caps: which earlier texts a claim shows the rules, with the
/// claim's own picks. The rules are the real ones (`WindowCalculator` with the shipped table).
@Suite("Store: frequency caps at claim time")
struct FrequencyCapClaimTests {
    static let florida = "+13055550123"
    static let texas = "+15125550123"
    /// Friday 2027-01-15, 10:00 in Miami: inside Florida's 08:00-20:00.
    static let morning = Date(timeIntervalSince1970: 1_800_000_000 + 7 * 3600)
    static let calculator = WindowCalculator()
    static let allDay = try! SendingWindow(start: TimeOfDay(parsing: "00:00")!, end: TimeOfDay(parsing: "23:59")!, timeZone: "America/Chicago")

    /// Claims at `now` the way the dispatcher does: history only for capped recipients, the
    /// combined window and cap decision for everything held.
    static func claim(_ fixture: StoreFixture, at now: Date, limit: Int = 100,
                      seen: Seen? = nil) async throws -> [ClaimedMessage] {
        try await fixture.db.claimDue(
            now: now, limit: limit, recording: [],
            lookback: { calculator.frequencyCapRule(kind: $0.kind, to: $0.to)?.frequencyCap?.period }
        ) { candidate in
            seen?.history.withLock { $0[candidate.id] = candidate.recentSends }
            let number = try! PhoneNumber.parse(candidate.to).get()
            switch calculator.evaluate(at: now, window: allDay, to: number, kind: candidate.kind, recentSends: candidate.recentSends) {
            case .allowed: return .send
            case let .deferred(until, reason): return .hold(until: until, reason: reason, detail: "capped")
            case let .never(reason): return .hold(until: now + 3600, reason: reason)
            }
        }.claimed
    }

    /// The history each candidate was shown, by message id.
    final class Seen: Sendable {
        let history = Mutex<[Int64: [Date]]>([:])
    }

    static func produce(_ fixture: StoreFixture, _ count: Int, to number: String, kind: String = "bulk", org: String = "acme",
                        sender: String = "alice", at now: Date = morning) async throws -> [Int64] {
        try await fixture.optIn(number, org: org)
        var ids: [Int64] = []
        for i in 0..<count {
            ids.append(try await fixture.produce(org: org, sender: sender, to: number, body: "Offer \(i)", kind: kind))
        }
        try await fixture.ingest(at: now)
        return ids
    }

    @Test("five texts to one Florida number in one claim: three go, two wait 24 h, each seeing the picks before it", arguments: Backend.allCases)
    func oneBatch(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let ids = try await Self.produce(fixture, 5, to: Self.florida)
        let seen = Seen()
        let claimed = try await Self.claim(fixture, at: Self.morning, seen: seen)
        #expect(claimed.map(\.id) == Array(ids.prefix(3)))
        let history = seen.history.withLock { $0 }
        #expect(ids.map { history[$0]?.count } == [0, 1, 2, 3, 3])
        for id in ids.suffix(2) {
            let held = try #require(try await fixture.db.message(id))
            #expect(held.state == .scheduled)
            #expect(held.heldReason == .stateRule)
            #expect(held.notBefore == Self.morning + 86_400)
            #expect(try await fixture.db.events(of: id).last?.detail?.hasPrefix("capped; not before") == true)
        }
    }

    @Test("texts in flight and texts sent count, across claims, from the instant the carrier accepted them", arguments: Backend.allCases)
    func acrossClaims(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let ids = try await Self.produce(fixture, 5, to: Self.florida)
        let first = try await Self.claim(fixture, at: Self.morning, limit: 2)
        #expect(first.map(\.id) == Array(ids.prefix(2)))
        // Those two are still in flight (sending): they count.
        let second = try await Self.claim(fixture, at: Self.morning + 1)
        #expect(second.map(\.id) == [ids[2]])
        #expect(try await fixture.db.message(ids[3])?.notBefore == Self.morning + 86_400)

        // The carrier accepts them a few seconds later: sent_at is what counts from then on.
        try await fixture.db.record((first + second).map {
            DispatchRecord(message: $0, decision: .sent(sid: "SM\($0.id)", carrierStatus: "queued", segments: 1), httpStatus: 201)
        }, now: Self.morning + 5)
        #expect(try await Self.claim(fixture, at: Self.morning + 86_400).isEmpty)
        #expect(try await fixture.db.message(ids[3])?.notBefore == Self.morning + 5 + 86_400)
        let last = try await Self.claim(fixture, at: Self.morning + 5 + 86_400)
        #expect(last.map(\.id) == Array(ids.suffix(2)))
    }

    @Test("only this organization's held-kind texts count; uncapped numbers are never looked up", arguments: Backend.allCases)
    func whatCounts(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        // Conversational texts and another organization's bulk texts to the same number.
        let chats = try await Self.produce(fixture, 3, to: Self.florida, kind: "conversational")
        let other = try await Self.produce(fixture, 3, to: Self.florida, org: "globex", sender: "bob")
        let seen = Seen()
        let before = try await Self.claim(fixture, at: Self.morning, seen: seen)
        #expect(Set(before.map(\.id)) == Set(chats + other))
        try await fixture.db.record(before.map {
            DispatchRecord(message: $0, decision: .sent(sid: "SM\($0.id)", carrierStatus: "queued", segments: 1), httpStatus: 201)
        }, now: Self.morning)

        let bulk = try await Self.produce(fixture, 3, to: Self.florida)
        let texan = try await Self.produce(fixture, 5, to: Self.texas)
        let after = try await Self.claim(fixture, at: Self.morning + 60, seen: seen)
        #expect(Set(after.map(\.id)) == Set(bulk + texan))
        let history = seen.history.withLock { $0 }
        #expect(bulk.map { history[$0]?.count } == [0, 1, 2])
        #expect(texan.allSatisfy { history[$0] == [] })
        #expect(chats.allSatisfy { history[$0] == [] })
    }
}
