import Foundation
import GRDB
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// State-rule frequency caps (docs/windows.md) through the real daemon, with the injected clock.
@Suite("Frequency caps in dispatch", .serialized)
struct FrequencyCapDispatchTests {
    static func instant(_ text: String) -> Date { Timestamp.parse(text)! }
    static let miami = "+13055550100"
    static let austin = "+15125550100"
    static let minneapolis = "+16125550199"

    private func sendingTimes(_ harness: DaemonHarness, to number: String) throws -> [Date] {
        try harness.producer.read { db in
            try Int64.fetchAll(db, sql: """
                SELECT e.at FROM message_event e JOIN message m ON m.id = e.message_id
                WHERE m.to_number = ? AND e.to_state = 'sending' ORDER BY e.at
                """, arguments: [number])
        }.map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    @Test("5 bulk texts to a Florida number at 10:00: 3 go, 2 wait until 24 h after the first; a Texas number gets all 5")
    func floridaCapped() async throws {
        let start = Self.instant("2026-11-23T10:00:00-05:00")  // Monday, 10:00 in Miami, 09:00 in Austin
        let clock = ManualWallClock(start)
        try await DaemonHarness.withDaemon(clock: clock) { harness in
            let florida = try harness.insert((1...5).map { OutboxRow(to: Self.miami, body: "Weekend sale, part \($0)", kind: "bulk") })
            let texas = try harness.insert((1...5).map { OutboxRow(to: Self.austin, body: "Weekend sale, part \($0)", kind: "bulk") })
            let settled = try await harness.eventually {
                try harness.count(where: "to_number = '\(Self.miami)' AND state IN ('sent', 'delivered')") == 3
                    && harness.count(where: "to_number = '\(Self.miami)' AND state = 'scheduled'") == 2
                    && harness.count(where: "to_number = '\(Self.austin)' AND state IN ('sent', 'delivered')") == 5
            }
            #expect(settled)
            let held = try await harness.producer.read { db in
                try Row.fetchAll(db, sql: "SELECT id, held_reason, not_before FROM messages WHERE state = 'scheduled' ORDER BY id")
            }
            #expect(held.map { $0["id"] as Int64 } == Array(florida.suffix(2)))
            for row in held {
                #expect(row["held_reason"] as String == HeldReason.stateRule.rawValue)
                #expect(Self.instant(row["not_before"]) == start + 86_400)
                let event = try #require(try await harness.database.events(of: row["id"]).last)
                #expect(event.detail?.contains("Florida frequency cap") == true, "\(event.detail ?? "-")")
            }
            #expect(try sendingTimes(harness, to: Self.austin).count == 5)
            #expect(try harness.count(where: "id IN (\(texas.map(String.init).joined(separator: ","))) AND held_reason IS NOT NULL") == 0)

            // A minute short of 24 h nothing more goes; at 24 h the two do.
            clock.set(start + 86_400 - 60)
            // A text due at once, to a number without a cap: once it is sent, the dispatcher has
            // claimed at this time, when the two capped ones were not due yet.
            let probe = try harness.insert([OutboxRow(to: Self.minneapolis, body: "probe")])[0]
            #expect(try await harness.eventually { try ["sent", "delivered"].contains(harness.state(of: probe) ?? "") })
            #expect(try harness.count(where: "to_number = '\(Self.miami)' AND state = 'scheduled'") == 2)
            #expect(try sendingTimes(harness, to: Self.miami).count == 3)
            clock.set(start + 86_400)
            // Delivered, not just sent: the simulator's last callbacks have landed before the daemon stops.
            #expect(try await harness.eventually { try harness.count(where: "state = 'delivered'") == 11 })
            // Never more than 3 in any 24 h: count back from every send.
            let times = try sendingTimes(harness, to: Self.miami)
            #expect(times.count == 5)
            for t in times {
                #expect(times.filter { $0 > t - 86_400 && $0 <= t }.count <= 3, "\(times)")
            }
        }
    }
}
