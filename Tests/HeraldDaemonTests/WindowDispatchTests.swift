import Foundation
import GRDB
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// Sending windows through the real daemon, with the injected clock standing in for the hours.
@Suite("Sending windows in dispatch", .serialized)
struct WindowDispatchTests {
    static let bulkOrg = """
        [[orgs]]
        id = "bulkco"
        name = "Bulk Co"
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

    static func instant(_ text: String) -> Date { Timestamp.parse(text)! }

    @Test("10,000 bulk messages at 15:59 Central for an 08:00-16:00 window: none sent after 16:00, the rest wait for 08:00")
    func backlogNeverSpillsPastTheWindow() async throws {
        let clock = ManualWallClock(Self.instant("2026-11-23T15:59:00-06:00"))
        try await DaemonHarness.withDaemon(extraConfig: Self.bulkOrg, clock: clock) { harness in
            // One in ten recipients is in Hawaii: 08:00 in Chicago is 04:00 there, so quiet hours bind.
            let rows = (0..<10_000).map { i in
                OutboxRow(org: "bulkco", sender: "dana", to: String(format: i % 10 == 0 ? "+1808555%04d" : "+1612555%04d", i),
                          body: "Sale ends soon #\(i)", kind: "bulk")
            }
            try harness.insert(rows)

            /// True once nothing due at the clock's time is left unclaimed or in flight.
            func settled() throws -> Bool {
                let nowMillis = Int64(clock.now().timeIntervalSince1970 * 1000)
                return try harness.producer.read { db in
                    let messages = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message") ?? 0
                    let busy = try Int.fetchOne(db, sql: """
                        SELECT COUNT(*) FROM message WHERE state = 'sending'
                           OR (state IN ('queued', 'scheduled') AND not_before <= ?)
                        """, arguments: [nowMillis]) ?? 0
                    return messages == 10_000 && busy == 0
                }
            }
            /// What the queue holds, for a wait that fails: which step stalled shows in the counts.
            func census() throws -> String {
                let nowMillis = Int64(clock.now().timeIntervalSince1970 * 1000)
                return try harness.producer.read { db in
                    let outbox = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0
                    let states = try Row.fetchAll(db, sql: """
                        SELECT state, COUNT(*) AS n, SUM(not_before <= ?) AS due FROM message GROUP BY state ORDER BY state
                        """, arguments: [nowMillis])
                    return "outbox: \(outbox); " + states.map { "\($0["state"] as String): \($0["n"] as Int) (\($0["due"] as Int? ?? 0) due)" }
                        .joined(separator: ", ")
                }
            }
            #expect(try await harness.eventually(timeout: .seconds(120)) { try settled() }, "\((try? census()) ?? "(no census)")")
            clock.set(Self.instant("2026-11-23T15:59:40-06:00"))
            #expect(try await harness.eventually(timeout: .seconds(120)) { try settled() }, "\((try? census()) ?? "(no census)")")
            let sentBeforeClose = try harness.count(where: "org = 'bulkco' AND state IN ('sent', 'delivered')")
            #expect(sentBeforeClose > 0)
            #expect(sentBeforeClose < 10_000)

            // The window closes; every slot the rate cap handed out has passed.
            clock.set(Self.instant("2026-11-23T16:05:00-06:00"))
            #expect(try await harness.eventually(timeout: .seconds(120)) { try settled() }, "\((try? census()) ?? "(no census)")")

            let closing = Self.instant("2026-11-23T16:00:00-06:00").timeIntervalSince1970 * 1000
            let lateSends = try await harness.producer.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message_event WHERE to_state = 'sending' AND at >= ?", arguments: [Int64(closing)])
            }
            #expect(lateSends == 0)
            #expect(try harness.count(where: "org = 'bulkco' AND state IN ('sent', 'delivered')") == sentBeforeClose)

            let waiting = try await harness.producer.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT substr(to_number, 1, 5) AS area, held_reason, not_before, COUNT(*) AS n FROM messages
                    WHERE org = 'bulkco' AND state = 'scheduled' GROUP BY 1, 2, 3 ORDER BY 1
                    """)
            }
            let unsent = 10_000 - sentBeforeClose
            #expect(waiting.reduce(0) { $0 + ($1["n"] as Int) } == unsent)
            for group in waiting {
                let area: String = group["area"]
                let notBefore = Self.instant(group["not_before"])
                if area == "+1808" {
                    // 08:00 in Honolulu is 12:00 in Chicago; quiet hours bound last.
                    #expect(notBefore == Self.instant("2026-11-24T12:00:00-06:00"), "\(group)")
                    #expect(group["held_reason"] == HeldReason.recipientQuietHours.rawValue)
                } else {
                    #expect(notBefore == Self.instant("2026-11-24T08:00:00-06:00"), "\(group)")
                    #expect(group["held_reason"] == HeldReason.orgWindow.rawValue)
                }
            }
        }
    }

    @Test("A bulk message inserted at night is held for the window and its reason is on the row")
    func heldAtIngest() async throws {
        let clock = ManualWallClock(Self.instant("2026-11-23T22:00:00-06:00"))
        try await DaemonHarness.withDaemon(extraConfig: Self.bulkOrg, clock: clock) { harness in
            let ids = try harness.insert([
                OutboxRow(org: "bulkco", sender: "dana", to: "+16125550001", body: "Tomorrow's deals", kind: "bulk"),
                OutboxRow(org: "bulkco", sender: "dana", to: "+16125550002", body: "Are you free now?", kind: "conversational"),
            ])
            #expect(try await harness.eventually { try harness.state(of: ids[1]) == "delivered" })
            let held = try #require(try await harness.database.message(ids[0]))
            #expect(held.state == .scheduled)
            #expect(held.heldReason == .orgWindow)
            #expect(held.notBefore == Self.instant("2026-11-24T08:00:00-06:00"))
        }
    }
}
