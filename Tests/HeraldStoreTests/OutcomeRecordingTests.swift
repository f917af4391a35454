import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Testing

@Suite("Store: recording POST outcomes")
struct OutcomeRecordingTests {
    /// One claimed message from alice; `segments` via the body length.
    private func claimedMessage(_ fixture: StoreFixture, body: String = "Hello") async throws -> ClaimedMessage {
        try await fixture.produce(body: body)
        try await fixture.ingest()
        let claimed = try await fixture.claimAll()
        return try #require(claimed.first)
    }

    @discardableResult
    private func record(_ fixture: StoreFixture, _ message: ClaimedMessage, _ decision: OutcomeDecision, http: Int?,
                        at: Date) async throws -> [DispatchRecord] {
        try await fixture.db.record([DispatchRecord(message: message, decision: decision, httpStatus: http)], now: at)
    }

    @Test(arguments: Backend.allCases) func sentStoresTheSidCountsUsageAndLogs(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let message = try await claimedMessage(fixture)
        let at = fixture.now + 1
        try await record(fixture, message, .sent(sid: "SMabc123", carrierStatus: "queued", segments: 2), http: 201, at: at)

        let row = try #require(try await fixture.row("SELECT * FROM message WHERE id = ?", [message.id]))
        #expect(row["state"] as String == "sent")
        #expect(row["carrier_sid"] as String? == "SMabc123")
        #expect(row["carrier_status"] as String? == "queued")
        #expect(row["carrier_segments"] as Int? == 2)
        #expect(row["sent_at"] as Int64? == at.unixMillis)
        let event = try #require(try await fixture.db.events(of: message.id).last)
        #expect(event.from == .sending)
        #expect(event.to == .sent)
        #expect(event.httpStatus == 201)
        #expect(event.at == at)
        #expect(try await fixture.usageLines() == ["acme alice 2027-01 messages=1 segments=2"])
    }

    @Test(arguments: Backend.allCases) func sentWithoutCarrierSegmentsCountsOurOwn(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let message = try await claimedMessage(fixture, body: String(repeating: "x", count: 200)) // 2 segments
        #expect(message.segments == 2)
        try await record(fixture, message, .sent(sid: "SM1", carrierStatus: "queued", segments: nil), http: 201, at: fixture.now)
        #expect(try await fixture.db.usage(org: "acme").map(\.segments) == [2])
        #expect(try await fixture.db.usage(org: "globex").isEmpty)
    }

    @Test(arguments: Backend.allCases) func retrySchedulesWithReasonAndEvent(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let message = try await claimedMessage(fixture)
        let notBefore = fixture.now + 5
        try await record(fixture, message, .retry(notBefore: notBefore, reason: .retryBackoff, detail: "retryable HTTP 503 down"), http: 503, at: fixture.now)
        let after = try #require(try await fixture.db.message(message.id))
        #expect(after.state == .scheduled)
        #expect(after.notBefore == notBefore)
        #expect(after.heldReason == .retryBackoff)
        #expect(after.detail == "retryable HTTP 503 down")
        #expect(after.attempts == 1)
        let event = try #require(try await fixture.db.events(of: message.id).last)
        #expect(event.from == .sending)
        #expect(event.to == .scheduled)
        #expect(event.reason == "retry_backoff")
        #expect(event.httpStatus == 503)
        #expect(event.detail?.contains("next attempt \(Timestamp.format(notBefore))") == true)
        #expect(try await fixture.db.usage().isEmpty)
        // It comes back when due, with the same key.
        let again = try await fixture.claimAll(at: notBefore)
        #expect(again.map(\.id) == [message.id])
        #expect(again.first?.attempts == 2)
        #expect(again.first?.carrierKey == message.carrierKey)
    }

    @Test(arguments: Backend.allCases) func failStoresTheCode(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let message = try await claimedMessage(fixture)
        try await record(fixture, message, .fail(errorCode: 21211, detail: "permanent HTTP 400 error_code=21211 invalid To"), http: 400, at: fixture.now)
        let after = try #require(try await fixture.db.message(message.id))
        #expect(after.state == .failed)
        #expect(after.errorCode == 21211)
        #expect(after.reason == "carrier_error")
        #expect(after.detail?.contains("21211") == true)
        let event = try #require(try await fixture.db.events(of: message.id).last)
        #expect(event.to == .failed)
        #expect(event.errorCode == 21211)
        #expect(event.httpStatus == 400)
        #expect(try await fixture.db.claimAll(fixture).isEmpty)
    }

    @Test(arguments: Backend.allCases) func expireStoresTheReason(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let message = try await claimedMessage(fixture)
        try await record(fixture, message, .expire(detail: "next attempt would be past expires_at"), http: 500, at: fixture.now)
        let after = try #require(try await fixture.db.message(message.id))
        #expect(after.state == .expired)
        #expect(after.reason == "expired")
        #expect(after.errorCode == nil)
        let event = try #require(try await fixture.db.events(of: message.id).last)
        #expect(event.from == .sending)
        #expect(event.to == .expired)
        #expect(event.reason == "expired")
    }

    @Test(arguments: Backend.allCases) func aBatchIsWrittenTogether(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        for _ in 0..<3 { try await fixture.produce() }
        try await fixture.ingest()
        let claimed = try await fixture.claimAll()
        #expect(claimed.count == 3)
        let records = [
            DispatchRecord(message: claimed[0], decision: .sent(sid: "SMa", carrierStatus: "queued", segments: 1), httpStatus: 201),
            DispatchRecord(message: claimed[1], decision: .retry(notBefore: fixture.now + 9, reason: .carrierBackoff, detail: "429"), httpStatus: 429),
            DispatchRecord(message: claimed[2], decision: .fail(errorCode: nil, detail: "gave up"), httpStatus: nil),
        ]
        let applied = try await fixture.db.record(records, now: fixture.now)
        #expect(try await claimed.asyncMap { try await fixture.state($0.id) } == [.sent, .scheduled, .failed])
        #expect(Set(applied.map(\.message.id)) == Set(claimed.map(\.id)), "every record moved its message")
        try await fixture.db.record([], now: fixture.now)
    }

    @Test("a row that left sending meanwhile keeps its newer state", arguments: Backend.allCases, [
        OutcomeDecision.sent(sid: "SMfast", carrierStatus: "queued", segments: 1),
        .retry(notBefore: Date(timeIntervalSince1970: 1_800_000_100), reason: .retryBackoff, detail: "timeout"),
        .fail(errorCode: 30003, detail: "late failure"),
        .expire(detail: "late"),
    ])
    func callbackOvertookTheRecording(backend: Backend, decision: OutcomeDecision) async throws {
        let fixture = try await StoreFixture(backend)
        let message = try await claimedMessage(fixture)
        let effect = try await fixture.db.apply(
            StatusReport(messageID: message.id, sid: "SMfast", status: "delivered", errorCode: nil, segments: 1),
            now: fixture.now + 1)
        #expect(effect == .moved(id: message.id, from: .sending, to: .delivered))

        let applied = try await record(fixture, message, decision, http: 201, at: fixture.now + 2)
        #expect(applied.isEmpty, "a record that moved nothing is not reported as applied, so nothing logs it")
        let after = try #require(try await fixture.db.message(message.id))
        #expect(after.state == .delivered)
        #expect(after.carrierSid == "SMfast")
        #expect(after.errorCode == nil)
        #expect(try await fixture.db.events(of: message.id).map(\.to) == [.queued, .sending, .delivered])
        #expect(try await fixture.usageLines() == ["acme alice 2027-01 messages=1 segments=1"])
    }
}

extension TestedStore {
    /// Nothing due left to claim.
    func claimAll(_ fixture: StoreFixture) async throws -> [ClaimedMessage] {
        try await claimDue(now: fixture.now + 86_400, limit: 100) { _ in .send }.claimed
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
