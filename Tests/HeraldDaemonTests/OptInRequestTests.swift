import CarrierSimulator
import Foundation
import GRDB
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// The opt-in request limit (docs/states.md#message-kinds) and journeys that wait for consent, through the real daemon
/// with the injected clock standing in for the hours.
@Suite("Consent: opt-in requests and waiting journeys", .serialized)
struct OptInRequestTests {
    static func instant(_ text: String) -> Date { Timestamp.parse(text)! }

    static let windowOrg = """
        [[orgs]]
        id = "journeyco"
        name = "Journey Co"
        timezone = "America/Chicago"
        window_start = "08:00"
        window_end = "16:00"
        [[orgs.users]]
        id = "dana"
        name = "Dana"
        number = "+16125550300"
        number_type = "long_code"
        rate = 100.0
        """

    func request(_ harness: DaemonHarness, to number: String) throws -> Int64 {
        try harness.insert([OutboxRow(to: number, body: nil, kind: "opt_in_request")], optIn: false)[0]
    }

    func settled(_ harness: DaemonHarness, _ id: Int64) async throws -> String {
        let settled = try await harness.eventually { try harness.state(of: id).map { !["queued", "sending", "sent"].contains($0) } ?? false }
        let state = try harness.state(of: id) ?? "-"
        #expect(settled, "message \(id) still \(state) after 30 s")
        return state
    }

    @Test("a 2nd request within 12 h is refused with the next allowed instant, the 4th is refused for good, and both limits survive a restart")
    func limitAcrossRestarts() async throws {
        let folder = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let contact = "+16125550601"
        let start = Self.instant("2026-11-23T10:00:00-06:00")
        let clock = ManualWallClock(start)
        try await DaemonHarness.withDaemon(clock: clock, reusing: folder) { harness in
            let first = try request(harness, to: contact)
            #expect(try await settled(harness, first) == "delivered")
            #expect(harness.simulator.messages().first?.body.contains("Reply YES to opt in") == true)
            clock.set(start + 3600)
            let early = try request(harness, to: contact)
            #expect(try await settled(harness, early) == "rejected")
            #expect(try harness.count(where: "id = \(early) AND reason = 'optin_spacing' AND detail LIKE '%2026-11-24T04:00:00%'") == 1)
        }
        // A new daemon on the same database: the count comes from the messages themselves.
        clock.set(start + 11 * 3600)
        try await DaemonHarness.withDaemon(clock: clock, reusing: folder) { harness in
            let stillEarly = try request(harness, to: contact)
            #expect(try await settled(harness, stillEarly) == "rejected")
            clock.set(start + 12 * 3600 + 1)
            // 22:00 Chicago is inside the recipient's quiet hours: accepted, held until 08:00.
            let second = try request(harness, to: contact)
            #expect(try await settled(harness, second) == "scheduled")
            clock.set(start + 24 * 3600 + 2)
            // Made 12 hours after the second, but the second, held by quiet hours until 08:00,
            // goes only now: the third waits 12 hours after it, not after it was made.
            let third = try request(harness, to: contact)
            #expect(try await harness.eventually { try harness.state(of: second) == "delivered" }, "the second request was not delivered")
            let spaced = try await harness.eventually { try harness.count(where: "id = \(third) AND held_reason = 'optin_spacing'") == 1 }
            #expect(spaced, "message \(third) is \((try? harness.state(of: third)) ?? "-"), not held optin_spacing")
            // 12 hours later is 22:00, quiet hours again: it goes at 08:00 the next morning.
            clock.set(start + 48 * 3600)
            #expect(try await harness.eventually { try harness.state(of: third) == "delivered" }, "the third request was not delivered")
            let fourth = try request(harness, to: contact)
            #expect(try await settled(harness, fourth) == "rejected")
            #expect(try harness.count(where: "id = \(fourth) AND reason = 'optin_limit'") == 1)
        }
    }

    @Test("50 producers asking at once for the same contact get one request")
    func concurrentRequests() async throws {
        let contact = "+16125550602"
        try await DaemonHarness.withDaemon(clock: ManualWallClock(Self.instant("2026-11-23T10:00:00-06:00"))) { harness in
            let path = harness.configuration.database.path
            // 50 connections, as 50 application processes would have, each inserting its own row.
            let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        var configuration = Configuration()
                        configuration.busyMode = .timeout(30)
                        let producer = try DatabaseQueue(path: path, configuration: configuration)
                        return try await producer.write { db in
                            try db.execute(sql: "INSERT INTO outbox (org, sender, to_number, kind) VALUES ('acme', 'alice', ?, 'opt_in_request')",
                                           arguments: [contact])
                            return db.lastInsertedRowID
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            func settled() throws -> Bool {
                let all: Int = try harness.count(where: "kind = 'opt_in_request'")
                let moving: Int = try harness.count(where: "kind = 'opt_in_request' AND state IN ('queued', 'scheduled', 'sending', 'sent')")
                return all == 50 && moving == 0
            }
            #expect(try await harness.eventually(settled))
            #expect(try harness.count(where: "kind = 'opt_in_request' AND state = 'delivered'") == 1)
            #expect(try harness.count(where: "kind = 'opt_in_request' AND state = 'rejected' AND reason = 'optin_spacing'") == 49)
            #expect(ids.count == 50)
            #expect(harness.simulator.messages().filter { $0.to == contact }.count == 1)
        }
    }

    @Test("a journey at 22:00 Central waits for consent; its opt-in request goes at 08:00; YES at 10:05 releases it at once")
    func journeyWaitsForConsent() async throws {
        let contact = "+16125550603"
        let clock = ManualWallClock(Self.instant("2026-11-23T22:00:00-06:00"))
        try await DaemonHarness.withDaemon(extraConfig: Self.windowOrg, clock: clock) { harness in
            let journey = try harness.insert([OutboxRow(org: "journeyco", sender: "dana", to: contact, body: "Your order shipped", kind: "journey")],
                                             optIn: false)[0]
            #expect(try await harness.eventually { try harness.state(of: journey) == "awaiting_consent" })
            let request = try harness.producer.read { db in
                try Row.fetchOne(db, sql: "SELECT id, state, held_reason, not_before, body FROM messages WHERE kind = 'opt_in_request' AND to_number = ?",
                                 arguments: [contact])
            }
            let requestRow = try #require(request)
            #expect(requestRow["state"] as String == "scheduled")
            #expect(requestRow["held_reason"] as String == "org_window")
            #expect(requestRow["not_before"] as String == "2026-11-24T14:00:00.000Z", "08:00 Central")
            #expect((requestRow["body"] as String).hasPrefix("Journey Co: Dana would like to send you text messages."))
            // Held when it was written, due only at 08:00 by the clock that stands at 22:00, and the
            // journey waits for consent: nothing was or can be posted while the window is closed.
            let requestEvents = try await harness.database.events(of: requestRow["id"]).map(\.to.rawValue)
            #expect(!requestEvents.contains("sending"), "\(requestEvents)")
            #expect(try harness.count(where: "to_number = '\(contact)' AND state NOT IN ('scheduled', 'awaiting_consent')") == 0)
            #expect(harness.simulator.messages().isEmpty)

            clock.set(Self.instant("2026-11-24T08:00:00-06:00"))
            #expect(try await harness.eventually { harness.simulator.messages().count == 1 })
            #expect(try harness.state(of: journey) == "awaiting_consent")

            clock.set(Self.instant("2026-11-24T10:05:00-06:00"))
            let delivery = try await harness.simulator.injectInbound(from: contact, to: "+16125550300", body: "Yes")
            #expect(delivery.status == 200)
            #expect(try await harness.eventually { try harness.state(of: journey) == "delivered" })
            let events = try await harness.database.events(of: journey).map { "\($0.from?.rawValue ?? "-")>\($0.to.rawValue) \($0.reason ?? "-")" }
            #expect(events.prefix(3) == ["->awaiting_consent awaiting_consent", "awaiting_consent>queued opted_in", "queued>sending -"])
        }
    }

    @Test("a journey that waits past its expires_at expires; a journey to a contact who opted out is refused")
    func waitingJourneyExpires() async throws {
        let clock = ManualWallClock(Self.instant("2026-11-23T10:00:00-06:00"))
        try await DaemonHarness.withDaemon(clock: clock) { harness in
            let waiting = try harness.insert([OutboxRow(to: "+16125550604", body: "Offer ends", kind: "journey",
                                                        expiresAt: "2026-11-23T18:00:00Z")], optIn: false)[0]
            #expect(try await harness.eventually { try harness.state(of: waiting) == "awaiting_consent" })
            clock.set(Self.instant("2026-11-23T12:00:01-06:00"))
            #expect(try await harness.eventually(timeout: .seconds(20)) { try harness.state(of: waiting) == "expired" })

            _ = try await harness.database.setConsent(ConsentRequest(
                org: DaemonHarness.org, number: "+16125550605", state: .optedOut, type: .paper, changedBy: "ops"
            ), now: clock.now())
            let refused = try harness.insert([OutboxRow(to: "+16125550605", body: "hi", kind: "journey")], optIn: false)[0]
            #expect(try await harness.eventually { try harness.state(of: refused) == "rejected" })
            #expect(try harness.count(where: "kind = 'opt_in_request' AND to_number = '+16125550605'") == 0)
        }
    }
}
