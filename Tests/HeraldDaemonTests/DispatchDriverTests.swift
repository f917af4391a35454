import Foundation
import HeraldCarrier
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Synchronization
import Testing

/// The dispatch cycle on a manual clock, through the test twins (a temporary store, a scripted
/// carrier, the dispatch driver): retries and unknown outcomes step by step, without sleeping.
@Suite("Dispatch cycle on a manual clock")
struct DispatchDriverTests {
    static let start = Timestamp.parse("2026-11-24T12:00:00-06:00")!
    static let sender = "+16125550100"
    static let contact = "+16125550123"

    static func store() async throws -> TemporaryStore {
        let store = try TemporaryStore()
        try await store.database.upsert(organizations: [OrganizationRecord(
            id: "acme", name: "Acme", timeZone: "America/Chicago", windowStart: "00:00", windowEnd: "23:59", windowDays: nil,
            senders: [SenderRecord(userID: "alice", name: "Alice", number: sender, numberType: "long_code", rate: 100)]
        )], now: start)
        _ = try await store.database.setConsent(ConsentRequest(org: "acme", number: contact, state: .optedIn, type: .api, changedBy: "test"),
                                                now: start)
        return store
    }

    static func queue(_ store: TemporaryStore, body: String) async throws -> Int64 {
        let id = try await store.database.insertOutbox(org: "acme", sender: "alice", to: contact, body: body, kind: "conversational")
        _ = try await store.database.ingest(limit: 10, now: start, directory: await store.database.loadDirectory(), rules: IngestRules(windows: nil))
        return id
    }

    @Test("a 503 holds the text for the retry curve's back-off; the next turn at that instant sends it")
    func retryOnTheCurve() async throws {
        let store = try await Self.store()
        let answers = Mutex([CarrierOutcome.retryable(detail: "HTTP 503", httpStatus: 503, maybeDelivered: false),
                             .accepted(sid: "SM1", status: "queued", segments: 1)])
        let carrier = ScriptedCarrierClient { _ in answers.withLock { $0.removeFirst() } }
        let clock = ManualWallClock(Self.start)
        var driver = DispatchDriver(store: store.database, carrier: carrier, clock: clock,
                                    policy: SendPolicy(directory: try await store.database.loadDirectory(), windows: WindowCalculator()))
        let id = try await Self.queue(store, body: "hello")
        #expect(try await driver.turn().map(\.decision) == [.retry(notBefore: Self.start + 5, reason: .retryBackoff, detail: "retryable HTTP 503 HTTP 503")])
        #expect(try await driver.turn().isEmpty, "not due before the back-off")
        clock.advance(by: 5)
        #expect(try await driver.turn().map(\.decision) == [.sent(sid: "SM1", carrierStatus: "queued", segments: 1)])
        #expect(try await store.database.message(id)?.state == .sent)
        #expect(carrier.callCount == 2)
    }

    @Test("a dropped answer after sending is held outcome_lookup, searched for at its next turn, and posted again when not found")
    func unknownOutcomeFound() async throws {
        let store = try await Self.store()
        let first = Atomic<Bool>(true)
        // The carrier takes the first post, but its answer is lost on the way back.
        let carrier = ScriptedCarrierClient { _ in
            first.exchange(false, ordering: .relaxed)
                ? .retryable(detail: "connection dropped after sending", httpStatus: nil, maybeDelivered: true)
                : .accepted(sid: "SM2", status: "queued", segments: 1)
        }
        let clock = ManualWallClock(Self.start)
        var driver = DispatchDriver(store: store.database, carrier: carrier, clock: clock,
                                    policy: SendPolicy(directory: try await store.database.loadDirectory(), windows: WindowCalculator()))
        let id = try await Self.queue(store, body: "are you there")
        let held = try await driver.turn()
        guard case let .retry(notBefore, reason, _) = held.first?.decision else {
            Issue.record("expected a hold, got \(held)")
            return
        }
        #expect(reason == .outcomeLookup)
        #expect(notBefore == Self.start + 10)
        clock.advance(by: 10)
        // The scripted carrier did not keep the post whose answer it dropped, so the search finds
        // nothing and the text is posted again (FinalStatusTests covers the carrier that kept it).
        #expect(try await driver.turn().map(\.decision) == [.sent(sid: "SM2", carrierStatus: "queued", segments: 1)])
        #expect(try await store.database.message(id)?.state == .sent)
        #expect(carrier.callCount == 2)
    }
}
