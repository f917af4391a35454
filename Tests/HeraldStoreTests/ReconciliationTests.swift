import Foundation
import GRDB
@testable import HeraldStore
import HeraldCore
import Testing

/// Texts still `sent` are looked up by sid on Core's schedule; the carrier's answer moves them
/// through the same forward-only rule as a callback, and at the give-up age they stay `sent` for good.
@Suite("Store: reconciliation")
struct ReconciliationTests {
    static let schedule = ReconcileSchedule(after: 60, giveUpAfter: 600)

    /// A fixture on a store with a short schedule, and `count` texts accepted (sent) at `fixture.now`.
    private func sentTexts(_ count: Int, _ backend: Backend) async throws -> (StoreFixture, any TestedStore, [Int64]) {
        let fixture = try await StoreFixture(backend, reconcile: Self.schedule)
        let db = fixture.db
        var ids: [Int64] = []
        for index in 0..<count {
            let number = "+1612555\(String(format: "%04d", 8000 + index))"
            try await fixture.optIn(number)
            ids.append(try await fixture.produce(to: number, body: "text \(index)"))
        }
        try await fixture.ingest()
        let claimed = try await db.claimDue(now: fixture.now, limit: 100) { _ in .send }.claimed
        try await db.record(claimed.map {
            DispatchRecord(message: $0, decision: .sent(sid: "SM\($0.id)", carrierStatus: "queued", segments: 1), httpStatus: 201)
        }, now: fixture.now)
        return (fixture, db, ids)
    }

    @Test("a sent text is due `after` seconds later, not before; the lookup's delivered moves it with reason reconciled", arguments: Backend.allCases)
    func lookupMovesItOn(_ backend: Backend) async throws {
        let (fixture, db, ids) = try await sentTexts(2, backend)
        #expect(try await db.awaitingReconciliation() == 2)
        #expect(try await db.dueReconciliations(now: fixture.now + 59, limit: 10).isEmpty)
        #expect(try await db.nextReconciliation() == fixture.now + 60)
        let due = try await db.dueReconciliations(now: fixture.now + 60, limit: 10)
        #expect(due.map(\.messageID) == ids)
        #expect(due.first?.sids == [ReconcileTarget.SID(sid: "SM\(ids[0])")])
        let report = try await db.applyLookups([
            ReconcileAnswer(messageID: ids[0], sid: .init(sid: "SM\(ids[0])"), answer: .found(status: "delivered", errorCode: nil, segments: 1)),
            ReconcileAnswer(messageID: ids[1], sid: .init(sid: "SM\(ids[1])"), answer: .found(status: "sent", errorCode: nil, segments: 1)),
        ], now: fixture.now + 61)
        #expect(report.moved == 1 && report.rescheduled == 1 && report.gaveUp.isEmpty)
        #expect(try await fixture.state(ids[0]) == .delivered)
        let event = try #require(try await db.events(of: ids[0]).last)
        #expect(event.from == .sent && event.to == .delivered && event.reason == "reconciled")
        // Still sent: asked again at the doubled gap, and only the delivered one left the queue of lookups.
        #expect(try await db.awaitingReconciliation() == 1)
        #expect(try await db.nextReconciliation() == fixture.now + 61 + 120)
    }

    @Test("a late report never overwrites a final state, and a text a callback moved on is never looked up", arguments: Backend.allCases)
    func forwardOnly(_ backend: Backend) async throws {
        let (fixture, db, ids) = try await sentTexts(1, backend)
        _ = try await db.apply(StatusReport(messageID: ids[0], sid: "SM\(ids[0])", status: "delivered", errorCode: nil, segments: 1),
                               now: fixture.now + 1)
        #expect(try await db.awaitingReconciliation() == 0)
        let report = try await db.applyLookups([
            ReconcileAnswer(messageID: ids[0], sid: .init(sid: "SM\(ids[0])"), answer: .found(status: "sent", errorCode: nil, segments: 1)),
        ], now: fixture.now + 61)
        #expect(report == ReconcileReport())
        #expect(try await fixture.state(ids[0]) == .delivered)
    }

    @Test("no answer is asked again soon without counting; at the give-up age the text stays sent, says so once, and counts as final", arguments: Backend.allCases)
    func giveUp(_ backend: Backend) async throws {
        let (fixture, db, ids) = try await sentTexts(1, backend)
        let id = ids[0]
        let sid = ReconcileTarget.SID(sid: "SM\(id)")
        _ = try await db.applyLookups([ReconcileAnswer(messageID: id, sid: sid, answer: .failed(detail: "HTTP 503"))], now: fixture.now + 60)
        #expect(try await db.nextReconciliation() == fixture.now + 60 + ReconcileSchedule.unansweredRetry)
        #expect(try await db.dueReconciliations(now: fixture.now + 600, limit: 10).first?.lookups == 0)
        let ended = try await db.applyLookups([
            ReconcileAnswer(messageID: id, sid: sid, answer: .found(status: "sent", errorCode: nil, segments: nil)),
        ], now: fixture.now + 600)
        #expect(ended.gaveUp == [id])
        #expect(try await fixture.state(id) == .sent)
        let event = try #require(try await db.events(of: id).last)
        #expect(event.from == .sent && event.to == .sent && event.reason == "reconcile_ended")
        #expect(event.detail?.contains("reconciliation ended") == true)
        #expect(try await db.awaitingReconciliation() == 0)
        #expect(try await db.nextReconciliation() == nil)
        // Final for retention: its body goes once retention's age has passed.
        #expect(try await db.purgeMessageBodies(finalBefore: fixture.now + 601, now: fixture.now + 601, limit: 10) == 1)
        // And a restart does not bring it back.
        #expect(try await db.prepareReconciliation(now: fixture.now + 700) == 0)
    }

    @Test("at start, texts still sent are due within the start spread instead of at their scheduled time", arguments: Backend.allCases)
    func soonAtStart(_ backend: Backend) async throws {
        let (fixture, db, ids) = try await sentTexts(3, backend)
        _ = try await db.applyLookups(ids.map {
            ReconcileAnswer(messageID: $0, sid: .init(sid: "SM\($0)"), answer: .found(status: "sent", errorCode: nil, segments: nil))
        }, now: fixture.now + 60)
        // Next lookups are two minutes on; a restart at +61 s asks within the minute.
        let restart = fixture.now + 61
        #expect(try await db.prepareReconciliation(now: restart) == 3)
        let due = try await db.dueReconciliations(now: restart + Self.schedule.startSpread, limit: 10)
        #expect(due.map(\.messageID) == ids)
    }
}
