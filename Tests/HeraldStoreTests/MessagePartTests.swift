import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Testing

/// `segmentation = "client"` in the store: every part's sid kept, and the message delivered once
/// every part is, whatever order posts and callbacks arrive in.
@Suite("Store: parts of client-segmented messages")
struct MessagePartTests {
    static let body = String(repeating: "0123456789", count: 40)  // 3 segments

    /// A 3-part message, claimed (sending).
    private func claimed(_ fixture: StoreFixture) async throws -> ClaimedMessage {
        try await fixture.produce(body: Self.body)
        try await fixture.ingest()
        let message = try #require(try await fixture.claimAll().first)
        #expect(message.segments == 3)
        return message
    }

    private func accept(_ fixture: StoreFixture, _ message: ClaimedMessage, sids: [String] = ["SMp1", "SMp2", "SMp3"]) async throws {
        try await fixture.db.record(
            [DispatchRecord(message: message, decision: .sent(sid: sids[0], carrierStatus: "queued", segments: 3), httpStatus: 201,
                            partSIDs: sids)],
            now: fixture.now + 1)
    }

    private func callback(_ fixture: StoreFixture, _ id: Int64, part: Int, status: String, errorCode: Int? = nil,
                          at offset: TimeInterval = 10) async throws -> StatusEffect {
        try await fixture.db.apply(
            StatusReport(messageID: id, sid: "SMp\(part)", status: status, errorCode: errorCode, segments: 1, part: part, parts: 3),
            now: fixture.now + offset)
    }

    private func parts(_ fixture: StoreFixture, _ id: Int64) async throws -> [String] {
        try await fixture.rows("SELECT part, carrier_sid, carrier_status FROM message_parts WHERE message_id = ? ORDER BY part", [id]).map {
            "\($0["part"] as Int) \($0["carrier_sid"] as String? ?? "-") \($0["carrier_status"] as String? ?? "-")"
        }
    }

    @Test("an accepted post records every part's sid; the message is delivered only with its last part", arguments: Backend.allCases)
    func deliveredWithTheLastPart(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let message = try await claimed(fixture)
        try await accept(fixture, message)
        let sent = try #require(try await fixture.db.message(message.id))
        #expect(sent.state == .sent)
        #expect(sent.carrierSid == "SMp1")
        #expect(try await parts(fixture, message.id) == ["1 SMp1 -", "2 SMp2 -", "3 SMp3 -"])

        #expect(try await callback(fixture, message.id, part: 1, status: "sent")
                == .ignored(id: message.id, state: .sent, why: "part 1 of 3 sent recorded"))
        _ = try await callback(fixture, message.id, part: 1, status: "delivered")
        _ = try await callback(fixture, message.id, part: 3, status: "delivered")
        #expect(try await callback(fixture, message.id, part: 3, status: "delivered")
                == .ignored(id: message.id, state: .sent, why: "part 3 of 3 already final"))
        #expect(try await fixture.state(message.id) == .sent)
        #expect(try await callback(fixture, message.id, part: 2, status: "delivered", at: 20)
                == .moved(id: message.id, from: .sent, to: .delivered))

        let event = try #require(try await fixture.db.events(of: message.id).last)
        #expect(event.to == .delivered)
        #expect(event.detail == "all 3 parts delivered")
        #expect(event.at == fixture.now + 20)
        #expect(try await parts(fixture, message.id) == ["1 SMp1 delivered", "2 SMp2 delivered", "3 SMp3 delivered"])
        // Counted once, when the post was recorded: one message, three segments.
        #expect(try await fixture.usageLines() == ["acme alice 2027-01 messages=1 segments=3"])
    }

    @Test("a part's callback without the part in its URL is still known by its sid, part 1 included", arguments: Backend.allCases)
    func callbackWithoutPartParameters(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let message = try await claimed(fixture)
        try await accept(fixture, message)
        for (part, sid) in [(1, "SMp1"), (2, "SMp2")] {
            let effect = try await fixture.db.apply(StatusReport(messageID: nil, sid: sid, status: "delivered", errorCode: nil, segments: 1),
                                                    now: fixture.now + 10)
            #expect(effect == .ignored(id: message.id, state: .sent, why: "part \(part) of 3 delivered recorded"))
        }
        #expect(try await fixture.state(message.id) == .sent)
        let last = try await fixture.db.apply(StatusReport(messageID: message.id, sid: "SMp3", status: "delivered", errorCode: nil, segments: 1),
                                              now: fixture.now + 10)
        #expect(last == .moved(id: message.id, from: .sent, to: .delivered))
    }

    @Test("one undelivered part makes the message undelivered, with that part's error", arguments: Backend.allCases)
    func onePartLost(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let message = try await claimed(fixture)
        try await accept(fixture, message)
        _ = try await callback(fixture, message.id, part: 1, status: "delivered")
        #expect(try await callback(fixture, message.id, part: 2, status: "undelivered", errorCode: 30003)
                == .moved(id: message.id, from: .sent, to: .undelivered))
        let lost = try #require(try await fixture.db.message(message.id))
        #expect(lost.errorCode == 30003)
        #expect(try await fixture.db.events(of: message.id).last?.detail == "part 2 of 3 undelivered")
        // Later parts are still recorded, and change nothing.
        #expect(try await callback(fixture, message.id, part: 3, status: "delivered")
                == .ignored(id: message.id, state: .undelivered, why: "part 3 of 3 recorded; the message is already final"))
        #expect(try await parts(fixture, message.id).last == "3 SMp3 delivered")
    }

    @Test("callbacks that overtake the posts: the message waits for every part, then moves once, counted once", arguments: Backend.allCases)
    func callbacksFirst(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let message = try await claimed(fixture)
        for part in 1...2 {
            _ = try await callback(fixture, message.id, part: part, status: "sent")
            #expect(try await callback(fixture, message.id, part: part, status: "delivered")
                    == .ignored(id: message.id, state: .sending, why: "part \(part) of 3 delivered recorded; the message waits for its other parts"))
        }
        #expect(try await fixture.state(message.id) == .sending)
        #expect(try await callback(fixture, message.id, part: 3, status: "delivered")
                == .moved(id: message.id, from: .sending, to: .delivered))
        #expect(try await fixture.db.message(message.id)?.carrierSid == "SMp1")
        try await accept(fixture, message)
        #expect(try await fixture.state(message.id) == .delivered)
        #expect(try await fixture.usageLines() == ["acme alice 2027-01 messages=1 segments=3"])
    }

    @Test("a retry keeps the parts already accepted; their callbacks do not move the waiting message", arguments: Backend.allCases)
    func partialAcceptance(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let message = try await claimed(fixture)
        try await fixture.db.record(
            [DispatchRecord(message: message, decision: .retry(notBefore: fixture.now + 60, reason: .retryBackoff, detail: "part 2 of 3: HTTP 503"),
                            httpStatus: 503, partSIDs: ["SMp1"])],
            now: fixture.now + 1)
        #expect(try await fixture.state(message.id) == .scheduled)
        #expect(try await parts(fixture, message.id) == ["1 SMp1 -"])
        _ = try await callback(fixture, message.id, part: 1, status: "delivered")
        #expect(try await fixture.state(message.id) == .scheduled)
        #expect(try await fixture.usageLines().isEmpty)

        // The retry posts all three; part 1 comes back with its first sid.
        let again = try #require(try await fixture.claimAll(at: fixture.now + 60).first)
        try await accept(fixture, again)
        #expect(try await fixture.state(message.id) == .sent)
        _ = try await callback(fixture, message.id, part: 2, status: "delivered")
        #expect(try await callback(fixture, message.id, part: 3, status: "delivered")
                == .moved(id: message.id, from: .sent, to: .delivered))
    }
}
