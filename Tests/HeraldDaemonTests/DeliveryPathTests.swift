import CarrierSimulator
import Foundation
import GRDB
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// The whole path through real parts: outbox -> ingest -> claim -> libcurl -> simulator ->
/// signed callback -> delivered.
@Suite("Delivery path, end to end", .serialized)
struct DeliveryPathTests {
    @Test("1,000 outbox rows all end delivered, each with its full timeline and one accepted post")
    func thousandDelivered() async throws {
        try await DaemonHarness.withDaemon { harness in
            let rows = (0..<1000).map { i in
                OutboxRow(sender: i.isMultiple(of: 2) ? "alice" : "bob", to: String(format: "+1612555%04d", i), body: "Hello #\(i)")
            }
            let ids = try harness.insert(rows)
            let done = try await harness.eventually(timeout: .seconds(60)) { try harness.count(where: "state = 'delivered'") == 1000 }
            let delivered = try harness.count(where: "state = 'delivered'")
            #expect(done, "delivered: \(delivered) of 1000")

            for id in ids {
                // Complete: starts at ingest, each event picks up where the last one ended, and it
                // ends sending -> sent -> delivered. (On a loaded machine a post may time out and be
                // retried in between; that is still a complete timeline.)
                let events = try await harness.database.events(of: id)
                #expect(events.first?.from == nil && events.first?.to == .queued, "message \(id)")
                #expect(zip(events, events.dropFirst()).allSatisfy { $0.to == $1.from }, "message \(id): \(events.map(\.to))")
                #expect(Array(events.suffix(2).map(\.to)) == [.sent, .delivered], "message \(id)")
                #expect(events.dropLast().last?.from == .sending, "message \(id)")
            }
            let stats = await harness.simulator.stats()
            #expect(stats.accepted == 1000)
            // A post that timed out on a loaded machine is looked up and, not found, posted again
            // with its key: the carrier may see a key twice, but never more often than Herald
            // recorded a post, and takes each text once.
            let sendingEvents = try await harness.producer.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message_event WHERE to_state = 'sending'") ?? 0
            }
            #expect(stats.duplicateRequests <= sendingEvents - 1000, "\(stats.duplicateRequests) repeated keys, \(sendingEvents - 1000) re-posts recorded")
            let keys = await harness.simulator.messages().compactMap(\.idempotencyKey)
            #expect(Set(keys).count == 1000)
            let outboxLeft = try await harness.producer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") }
            #expect(outboxLeft == 0)
            let usage = try await harness.database.usage(org: DaemonHarness.org)
            #expect(usage.reduce(0) { $0 + $1.messages } == 1000)
        }
    }

    @Test("Invalid outbox rows become rejected with a reason, none silently dropped")
    func invalidRowsRejected() async throws {
        try await DaemonHarness.withDaemon { harness in
            let cases: [(OutboxRow, String)] = [
                (OutboxRow(to: "+1 876 555 0100", body: "hi"), "invalid_number"),
                (OutboxRow(to: "612555012", body: "hi"), "invalid_number"),
                (OutboxRow(to: "not a number", body: "hi"), "invalid_number"),
                (OutboxRow(to: "+16125550123", body: ""), "empty_body"),
                (OutboxRow(to: "+16125550123", body: "   "), "empty_body"),
                (OutboxRow(to: "+16125550123", body: String(repeating: "x", count: 1601)), "body_too_long"),
                (OutboxRow(org: "nope", to: "+16125550123", body: "hi"), "unknown_org"),
                (OutboxRow(sender: "mallory", to: "+16125550123", body: "hi"), "unknown_sender"),
                (OutboxRow(to: "+16125550123", body: "hi", kind: "spam"), "bad_kind"),
                (OutboxRow(to: "+16125550123", body: "hi", sendAt: "tomorrow"), "bad_timestamp"),
                (OutboxRow(to: "+16125550123", body: "hi", expiresAt: "2001-01-01T00:00:00Z"), "expired"),
                (OutboxRow(to: nil, body: "hi"), "missing_field"),
                (OutboxRow(org: nil, to: "+16125550123", body: "hi"), "missing_field"),
            ]
            let good = try harness.insert([OutboxRow(to: "+16125550123", body: "fine", idempotencyKey: "order-1")])
            let ids = try harness.insert(cases.map(\.0))
            let duplicate = try harness.insert([OutboxRow(to: "+16125550123", body: "fine again", idempotencyKey: "order-1")])
            let settled = try await harness.eventually {
                try harness.count(where: "state = 'rejected'") == cases.count + 1 && harness.state(of: good[0]) == "delivered"
            }
            #expect(settled)
            for (id, expected) in zip(ids, cases.map(\.1)) {
                let row = try await harness.producer.read { db in
                    try Row.fetchOne(db, sql: "SELECT state, reason, detail, display_status FROM messages WHERE id = ?", arguments: [id])
                }
                #expect(row?["state"] == "rejected", "row \(id)")
                #expect(row?["reason"] == expected, "row \(id): \(String(describing: row))")
                #expect((row?["detail"] as String?)?.isEmpty == false)
                #expect(row?["display_status"] == "failed")
            }
            let jamaica: String? = try await harness.producer.read { db in
                try String.fetchOne(db, sql: "SELECT detail FROM messages WHERE id = ?", arguments: [ids[0]])
            }
            #expect(jamaica?.contains("Jamaica") == true, "\(jamaica ?? "-")")
            let duplicateReason: String? = try await harness.producer.read { db in
                try String.fetchOne(db, sql: "SELECT reason FROM messages WHERE id = ?", arguments: [duplicate[0]])
            }
            #expect(duplicateReason == "duplicate_idempotency_key")
            #expect(await harness.simulator.stats().accepted == 1)
        }
    }

    @Test("a 429 pauses the whole account: another sender's text, claimed meanwhile, waits carrier_backoff until Retry-After")
    func throttlePausesTheAccount() async throws {
        let clock = ManualWallClock(Timestamp.parse("2026-11-23T12:00:00-06:00")!)
        try await DaemonHarness.withDaemon(clock: clock) { harness in
            harness.simulator.throttleNext(1, retryAfterSeconds: 30)
            let first = try harness.insert([OutboxRow(to: "+16125550011", body: "into a 429")])[0]
            #expect(try await harness.eventually { try harness.count(where: "id = \(first) AND held_reason = 'carrier_backoff'") == 1 })
            let other = try harness.insert([OutboxRow(sender: "bob", to: "+16125550012", body: "from another number")])[0]
            let held = try await harness.eventually { try harness.count(where: "id = \(other) AND held_reason = 'carrier_backoff'") == 1 }
            #expect(held, "bob's text is \((try? harness.state(of: other)) ?? "-"), not held by the account's 429")
            clock.set(clock.now() + 31)
            #expect(try await harness.eventually { try harness.state(of: first) == "delivered" && harness.state(of: other) == "delivered" })
        }
    }

    @Test("5xx, 429 and timeouts are retried (Retry-After honoured) and then delivered")
    func transientFailuresRetried() async throws {
        try await DaemonHarness.withDaemon { harness in
            harness.simulator.failNext(3, status: 503)
            let first = try harness.insert([OutboxRow(to: "+16125550001", body: "through 503s")])[0]
            #expect(try await harness.eventually { try harness.state(of: first) == "delivered" })
            let retried = try #require(try await harness.database.message(first))
            #expect(retried.attempts == 4)

            harness.simulator.throttleNext(1, retryAfterSeconds: 2)
            let throttled = try harness.insert([OutboxRow(to: "+16125550002", body: "through a 429")])[0]
            #expect(try await harness.eventually { try harness.state(of: throttled) == "delivered" })
            let events = try await harness.database.events(of: throttled)
            let backoff = try #require(events.first { $0.to == .scheduled })
            #expect(backoff.reason == HeldReason.carrierBackoff.rawValue)
            #expect(backoff.httpStatus == 429)
            let resend = try #require(events.last { $0.to == .sending })
            #expect(resend.at.timeIntervalSince(backoff.at) >= 1.9, "Retry-After: 2 was not honoured")

            harness.simulator.hangNext(1, for: .seconds(7))
            let hung = try harness.insert([OutboxRow(to: "+16125550003", body: "through a timeout")])[0]
            #expect(try await harness.eventually { try harness.state(of: hung) == "delivered" })
            // A timeout after the request went out is an unknown outcome: the carrier is asked before any re-post.
            let timeline = try await harness.database.events(of: hung)
            #expect(timeline.contains { $0.to == .scheduled && $0.reason == HeldReason.outcomeLookup.rawValue
                && $0.detail?.hasPrefix("unknown outcome: ") == true }, "\(timeline)")

            harness.simulator.dropNext(1)
            let dropped = try harness.insert([OutboxRow(to: "+16125550004", body: "through a dropped connection")])[0]
            #expect(try await harness.eventually { try harness.state(of: dropped) == "delivered" })

            // However often a message was posted, the carrier accepted each once.
            let accepted = await harness.simulator.messages()
            #expect(accepted.count == 4)
            #expect(Set(accepted.compactMap(\.idempotencyKey)).count == 4)
        }
    }

    @Test("A permanent carrier error fails the message and keeps the code")
    func permanentErrorFails() async throws {
        try await DaemonHarness.withDaemon { harness in
            harness.simulator.setError(for: "+16125550666", CarrierErrorReply(status: 400, code: 21211, message: "Invalid 'To' Phone Number"))
            let id = try harness.insert([OutboxRow(to: "+16125550666", body: "to a bad number")])[0]
            #expect(try await harness.eventually { try harness.state(of: id) == "failed" })
            let message = try #require(try await harness.database.message(id))
            #expect(message.errorCode == 21211)
            #expect(message.attempts == 1)
            #expect(await harness.simulator.stats().accepted == 0)
        }
    }

    @Test("A delivery failure reported by callback ends undelivered with its error code")
    func undeliveredCallback() async throws {
        try await DaemonHarness.withDaemon { harness in
            harness.simulator.setDeliveryError(for: "+16125550777", DeliveryError(status: .undelivered, code: 30003))
            let id = try harness.insert([OutboxRow(to: "+16125550777", body: "to a phone that is off")])[0]
            #expect(try await harness.eventually { try harness.state(of: id) == "undelivered" })
            let message = try #require(try await harness.database.message(id))
            #expect(message.errorCode == 30003)
        }
    }
}
