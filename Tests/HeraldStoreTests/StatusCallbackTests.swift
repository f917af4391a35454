import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Testing

@Suite("Store: status callbacks")
struct StatusCallbackTests {
    /// A message alice sent, carrier sid `sid`.
    private func sentMessage(_ fixture: StoreFixture, sid: String = "SMsent1", segments: Int = 1) async throws -> Int64 {
        try await fixture.produce()
        try await fixture.ingest()
        let message = try #require(try await fixture.claimAll().first)
        try await fixture.db.record(
            [DispatchRecord(message: message, decision: .sent(sid: sid, carrierStatus: "queued", segments: segments), httpStatus: 201)],
            now: fixture.now)
        return message.id
    }

    private func apply(
        _ fixture: StoreFixture, id: Int64?, sid: String, status: String, errorCode: Int? = nil, segments: Int? = nil, at offset: TimeInterval = 10
    ) async throws -> StatusEffect {
        try await fixture.db.apply(StatusReport(messageID: id, sid: sid, status: status, errorCode: errorCode, segments: segments),
                                   now: fixture.now + offset)
    }

    @Test(arguments: Backend.allCases) func sentThenDeliveredMovesForward(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let id = try await sentMessage(fixture)
        #expect(try await apply(fixture, id: id, sid: "SMsent1", status: "delivered") == .moved(id: id, from: .sent, to: .delivered))
        let row = try #require(try await fixture.row("SELECT * FROM messages WHERE id = ?", [id]))
        #expect(row["state"] as String == "delivered")
        #expect(row["display_status"] as String == "delivered")
        #expect(row["carrier_status"] as String? == "delivered")
        let event = try #require(try await fixture.db.events(of: id).last)
        #expect(event.from == .sent)
        #expect(event.to == .delivered)
        #expect(event.reason == "status_callback")
        #expect(event.at == fixture.now + 10)
        // Usage was counted when the POST was recorded, not again now.
        #expect(try await fixture.db.usage().map(\.messages) == [1])
    }

    @Test(arguments: Backend.allCases) func deliveredNeverGoesBackToSent(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let id = try await sentMessage(fixture)
        _ = try await apply(fixture, id: id, sid: "SMsent1", status: "delivered")
        let eventsBefore = try await fixture.db.events(of: id).count
        for late in ["sent", "queued", "sending", "undelivered", "failed", "delivered"] {
            let effect = try await apply(fixture, id: id, sid: "SMsent1", status: late, at: 20)
            #expect(effect == .ignored(id: id, state: .delivered, why: "already final"), "late \(late)")
        }
        #expect(try await fixture.state(id) == .delivered)
        #expect(try await fixture.db.events(of: id).count == eventsBefore)
    }

    @Test(arguments: Backend.allCases) func duplicateCallbackIsIgnored(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let id = try await sentMessage(fixture)
        #expect(try await apply(fixture, id: id, sid: "SMsent1", status: "sent") == .ignored(id: id, state: .sent, why: "duplicate"))
        #expect(try await apply(fixture, id: nil, sid: "SMsent1", status: "queued") == .ignored(id: id, state: .sent, why: "duplicate"))
        #expect(try await fixture.db.events(of: id).map(\.to) == [.queued, .sending, .sent])
    }

    @Test(arguments: Backend.allCases) func unknownSidIsUnknownMessage(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        _ = try await sentMessage(fixture)
        #expect(try await apply(fixture, id: nil, sid: "SMnobody", status: "delivered") == .unknownMessage)
        #expect(try await apply(fixture, id: 987_654, sid: "SMnobody", status: "delivered") == .unknownMessage)
    }

    @Test(arguments: Backend.allCases) func sendingToDeliveredCountsUsageOnce(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        try await fixture.produce()
        try await fixture.ingest()
        let message = try #require(try await fixture.claimAll().first)
        let effect = try await apply(fixture, id: message.id, sid: "SMquick", status: "delivered", segments: 3)
        #expect(effect == .moved(id: message.id, from: .sending, to: .delivered))
        #expect(try await fixture.usageLines() == ["acme alice 2027-01 messages=1 segments=3"])
        // Then the POST's own answer arrives: no second count, no state change.
        try await fixture.db.record(
            [DispatchRecord(message: message, decision: .sent(sid: "SMquick", carrierStatus: "queued", segments: 3), httpStatus: 201)],
            now: fixture.now + 11)
        #expect(try await fixture.usageLines() == ["acme alice 2027-01 messages=1 segments=3"])
        #expect(try await fixture.state(message.id) == .delivered)
        // And a repeated delivered callback counts nothing either.
        _ = try await apply(fixture, id: message.id, sid: "SMquick", status: "delivered", segments: 3)
        #expect(try await fixture.db.usage().map(\.messages) == [1])
    }

    @Test(arguments: Backend.allCases) func callbackForARetryingMessageMeansItArrived(_ backend: Backend) async throws {
        // The POST timed out after sending (maybeDelivered), was scheduled for retry; the carrier had it.
        let fixture = try await StoreFixture(backend)
        try await fixture.produce()
        try await fixture.ingest()
        let message = try #require(try await fixture.claimAll().first)
        try await fixture.db.record(
            [DispatchRecord(message: message, decision: .retry(notBefore: fixture.now + 60, reason: .retryBackoff, detail: "timeout"), httpStatus: nil)],
            now: fixture.now)
        let effect = try await apply(fixture, id: message.id, sid: "SMlate", status: "sent")
        #expect(effect == .moved(id: message.id, from: .scheduled, to: .sent))
        let after = try #require(try await fixture.db.message(message.id))
        #expect(after.heldReason == nil)
        #expect(after.carrierSid == "SMlate")
        #expect(try await fixture.claimAll(at: fixture.now + 60).isEmpty)
        #expect(try await fixture.db.usage().map(\.messages) == [1])
    }

    @Test(arguments: Backend.allCases) func undeliveredKeepsTheErrorCode(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let id = try await sentMessage(fixture)
        #expect(try await apply(fixture, id: nil, sid: "SMsent1", status: "undelivered", errorCode: 30005)
            == .moved(id: id, from: .sent, to: .undelivered))
        let row = try #require(try await fixture.row("SELECT * FROM messages WHERE id = ?", [id]))
        #expect(row["display_status"] as String == "undeliverable")
        #expect(row["error_code"] as Int? == 30005)
        #expect(try await fixture.db.events(of: id).last?.errorCode == 30005)
    }

    @Test(arguments: Backend.allCases) func statusesMapToStates(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let read = try await sentMessage(fixture, sid: "SMread")
        #expect(try await apply(fixture, id: nil, sid: "SMread", status: "read") == .moved(id: read, from: .sent, to: .delivered))
        let failed = try await sentMessage(fixture, sid: "SMfailed")
        #expect(try await apply(fixture, id: nil, sid: "SMfailed", status: "FAILED") == .moved(id: failed, from: .sent, to: .failed))
        let odd = try await sentMessage(fixture, sid: "SModd")
        guard case let .ignored(id, state, why) = try await apply(fixture, id: nil, sid: "SModd", status: "receiving") else {
            Issue.record("an unknown status should be ignored")
            return
        }
        #expect(id == odd)
        #expect(state == .sent)
        #expect(why.contains("receiving"))
    }

    @Test(arguments: Backend.allCases) func aMismatchedIdFallsBackToTheSid(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let first = try await sentMessage(fixture, sid: "SMfirst")
        let second = try await sentMessage(fixture, sid: "SMsecond")
        #expect(try await apply(fixture, id: first, sid: "SMsecond", status: "delivered") == .moved(id: second, from: .sent, to: .delivered))
        #expect(try await fixture.state(first) == .sent)
    }

    @Test(arguments: Backend.allCases) func aNeverPostedMessageIgnoresCallbacks(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let id = try await fixture.queued()
        guard case let .ignored(_, state, why) = try await apply(fixture, id: id, sid: "SMforged", status: "delivered") else {
            Issue.record("a callback for a message never posted should be ignored")
            return
        }
        #expect(state == .queued)
        #expect(why == "never posted")
        #expect(try await fixture.state(id) == .queued)
    }
}
