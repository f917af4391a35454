import CarrierSimulator
import Foundation
import GRDB
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// The first promise, checked against the carrier's own log: no text that needs consent reaches
/// the simulator without it.
@Suite("Consent: a mixed batch against the carrier's log")
struct ConsentBatchTests {
    static let numbers = 2_500

    static func number(_ i: Int) -> String { String(format: "+1612770%04d", i) }

    @Test("10,000 texts of every kind to opted-in, opted-out and unknown numbers, with replies midway: every post had consent when it was sent")
    func mixedBatch() async throws {
        let start = Timestamp.parse("2026-11-23T12:00:00-06:00")!
        let clock = ManualWallClock(start)
        try await DaemonHarness.withDaemon(clock: clock) { harness in
            let org = DaemonHarness.org
            // A quarter opted in, a quarter opted out (on paper, before the run), half never asked.
            let earlier = (0..<Self.numbers).compactMap { i -> ConsentRequest? in
                switch i % 4 {
                case 0: ConsentRequest(org: org, number: Self.number(i), state: .optedIn, type: .web, changedBy: "import")
                case 1: ConsentRequest(org: org, number: Self.number(i), state: .optedOut, type: .paper, changedBy: "import")
                default: nil
                }
            }
            try await harness.database.setConsent(earlier, now: start - 60)
            let kinds = ["conversational", "bulk", "journey", "opt_in_request"]
            let rows = (0..<10_000).map { j in
                let kind = kinds[j / Self.numbers]
                return OutboxRow(sender: j % 2 == 0 ? "alice" : "bob", to: Self.number(j % Self.numbers),
                                 body: kind == "opt_in_request" ? nil : "\(kind) #\(j)", kind: kind)
            }
            let ids = try harness.insert(rows, optIn: false)

            func settled() throws -> Bool {
                let waiting: Int = try harness.count(where: "state IN ('queued', 'sending', 'sent')")
                let unread: Int = try harness.producer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0 }
                return waiting == 0 && unread == 0
            }
            #expect(try await harness.eventually(timeout: .seconds(120), settled))

            // Midway, a minute later: 100 of the never-asked say YES, 100 of the opted-in say STOP.
            clock.set(start + 60)
            for i in stride(from: 2, to: 402, by: 4) { try await ConsentKeywordTests.reply(harness, from: Self.number(i), "YES") }
            for i in stride(from: 0, to: 400, by: 4) { try await ConsentKeywordTests.reply(harness, from: Self.number(i), "STOP") }
            #expect(try await harness.eventually(timeout: .seconds(120), settled))

            // Consent as the ledger says it was at each instant.
            let ledger = try await harness.producer.read { db in
                try Row.fetchAll(db, sql: "SELECT number, at, new_state FROM consent_ledger WHERE org_id = ? ORDER BY id", arguments: [org])
                    .map { (number: $0["number"] as String, at: $0["at"] as Int64, state: ConsentState(rawValue: $0["new_state"])!) }
            }
            let history = Dictionary(grouping: ledger, by: \.number)
            func consent(_ number: String, at millis: Int64) -> ConsentState {
                history[number]?.last { $0.at <= millis }?.state ?? .unknown
            }
            let sent = try await harness.producer.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT m.carrier_key, m.id, m.kind, m.to_number,
                        (SELECT MIN(at) FROM message_event e WHERE e.message_id = m.id AND e.to_state = 'sending') AS claimed_at
                    FROM message m WHERE m.org_id = ?
                    """, arguments: [org]).map { row in
                    (key: row["carrier_key"] as String, id: row["id"] as Int64, kind: MessageKind(rawValue: row["kind"])!,
                     to: row["to_number"] as String, claimedAt: row["claimed_at"] as Int64?)
                }
            }
            let byKey = Dictionary(uniqueKeysWithValues: sent.map { ($0.key, $0) })
            let posts = harness.simulator.messages()
            var postsByKind: [MessageKind: Int] = [:]
            for post in posts {
                let message = try #require(post.idempotencyKey.flatMap { byKey[$0] }, "a post Herald has no message for: \(post.to) \(post.body)")
                let claimedAt = try #require(message.claimedAt, "message \(message.id) was posted but never claimed")
                postsByKind[message.kind, default: 0] += 1
                let state = consent(message.to, at: claimedAt)
                if message.kind.needsConsent {
                    #expect(state == .optedIn, "message \(message.id) (\(message.kind.rawValue)) posted to \(message.to) while \(state.rawValue)")
                } else if message.kind == .optInRequest {
                    #expect(state == .unknown, "opt-in request \(message.id) posted to \(message.to) while \(state.rawValue)")
                }
            }
            // Every outbox row became a message; what was refused says why.
            #expect(try harness.count(where: "id BETWEEN \(ids[0]) AND \(ids[ids.count - 1])") == 10_000)
            #expect(try harness.count(where: "kind IN ('conversational', 'bulk') AND state = 'delivered'") == 1_250)
            #expect(try harness.count(where: "kind IN ('conversational', 'bulk') AND state = 'rejected' AND reason = 'no_consent'") == 3_750)
            #expect(try harness.count(where: "kind = 'journey' AND state = 'delivered'") == 625 + 100)
            #expect(try harness.count(where: "kind = 'journey' AND state = 'rejected' AND reason = 'no_consent'") == 625)
            #expect(try harness.count(where: "kind = 'journey' AND state = 'awaiting_consent'") == 1_250 - 100)
            // One request per never-asked number, made for its journey; every producer's request refused.
            #expect(postsByKind[.optInRequest] == 1_250)
            #expect(try harness.count(where: "kind = 'opt_in_request' AND state = 'rejected'") == 2_500)
            #expect(postsByKind[.system] == 200, "one confirmation per YES and per STOP")
            let expectedPosts = 1_250 + 725 + 1_250 + 200
            #expect(posts.count == expectedPosts)
        }
    }
}
