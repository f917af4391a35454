import CarrierSimulator
import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Synchronization
import Testing

/// Every event a real daemon records is a move the state machine allows, and each message's
/// events form one chain from its creation to its state: a mixed run through the real webhook,
/// the simulator with faults, consent replies, operators' retries and cancels, and expiry.
@Suite("Transitions: every recorded event pair is allowed by the state machine")
struct TransitionHistoryTests {
    static let journeyContact = "+16125550701"
    static let stopContact = "+16125550702"
    static let expiringContact = "+16125550703"
    static let refused = "+16125550704"
    static let undeliverable = "+16125550705"

    /// Real time, moved to a weekday noon in Chicago, so windows and quiet hours hold nothing back
    /// whenever the test runs; `skip` moves it on, as the hours a journey waits for consent would.
    final class NoonClock: WallClock {
        private let offset = Mutex(Timestamp.parse("2026-11-24T12:00:00-06:00")!.timeIntervalSince(Date()))

        func now() -> Date { Date() + offset.withLock { $0 } }
        func skip(_ seconds: TimeInterval) { offset.withLock { $0 += seconds } }
    }

    @Test("a mixed run: faults, retries, callbacks, keywords, cancel, retry, expiry")
    func mixedRun() async throws {
        let clock = NoonClock()
        try await DaemonHarness.withDaemon(clock: clock) { harness in
            let simulator = harness.simulator
            simulator.setError(for: Self.refused, CarrierErrorReply(code: 21211, message: "invalid 'To' number"))
            simulator.setDeliveryError(for: Self.undeliverable, DeliveryError(status: .undelivered, code: 30005))
            simulator.failNext(4, status: 503)
            simulator.throttleNext(2, retryAfterSeconds: 1)
            simulator.dropNext(2)

            var ids = try harness.insert((0..<12).map { OutboxRow(to: "+161255506\(String(format: "%02d", $0))", body: "hello \($0)") })
            ids += try harness.insert([
                OutboxRow(to: Self.refused, body: "to a bad number"),
                OutboxRow(to: Self.undeliverable, body: "to a dead handset"),
                OutboxRow(to: "+16125550710", body: "next year", sendAt: "2099-01-01T15:00:00Z"),
                OutboxRow(to: "+1 876 555 0100", body: "to Jamaica"),
            ])
            let later = ids[14]
            ids += try harness.insert([
                OutboxRow(to: Self.journeyContact, body: "your appointment", kind: "journey"),
                OutboxRow(to: Self.stopContact, body: "your renewal", kind: "journey"),
                OutboxRow(to: Self.expiringContact, body: "a short offer", kind: "journey",
                          expiresAt: Timestamp.format(clock.now() + 600)),
            ], optIn: false)

            // Consent by reply: YES releases one journey, STOP withdraws the other; HELP is answered.
            #expect(try await harness.eventually { try harness.count(where: "state = 'awaiting_consent'") == 3 })
            #expect(try await harness.simulator.injectInbound(from: Self.journeyContact, to: DaemonHarness.alice, body: "YES").status == 200)
            #expect(try await harness.simulator.injectInbound(from: Self.stopContact, to: DaemonHarness.alice, body: "STOP").status == 200)
            #expect(try await harness.simulator.injectInbound(from: "+16125550600", to: DaemonHarness.alice, body: "HELP").status == 200)

            // Operators: a text waiting for next year is canceled; the refused one is retried (and refused again).
            #expect(try await harness.eventually { try harness.state(of: ids[12]) == "failed" })
            let canceled = try await harness.database.cancel(ids: [later], org: nil, state: nil, by: "test", now: clock.now())
            #expect(canceled.changed == [later])
            let retried = try await harness.database.retry(ids: [ids[12]], failedOfOrg: nil, by: "test", now: clock.now())
            #expect(retried.changed == [ids[12]])

            // Ten minutes on, nobody answered the third journey's request: it expires.
            clock.skip(601)
            let moving = "state NOT IN ('delivered', 'undelivered', 'failed', 'rejected', 'canceled', 'expired')"
            let settled = try await harness.eventually(timeout: .seconds(60)) { try harness.count(where: moving) == 0 }
            let stillMoving = try harness.count(where: moving)
            #expect(settled, "\(stillMoving) messages still moving")

            let events = try await harness.producer.read { db in
                try Row.fetchAll(db, sql: "SELECT message_id, from_state, to_state FROM message_event ORDER BY message_id, id")
            }
            let states = try await harness.producer.read { db in
                try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT id, state FROM message").map { ($0[0] as Int64, $0[1] as String) })
            }
            var pairs: Set<String> = []
            var last: [Int64: String] = [:]
            for event in events {
                let id: Int64 = event[0]
                let from: String? = event[1]
                let to: String = event[2]
                if let from {
                    #expect(last[id] == from, "message \(id): an event from \(from) follows one to \(last[id] ?? "nothing")")
                    let allowed = MessageState(rawValue: from).map { source in MessageState(rawValue: to).map(source.canMove(to:)) ?? false } ?? false
                    #expect(allowed, "message \(id): \(from) -> \(to) is not in the state machine")
                } else {
                    #expect(last[id] == nil, "message \(id) was created twice")
                }
                pairs.insert("\(from ?? "-")>\(to)")
                last[id] = to
            }
            for (id, state) in states {
                #expect(last[id] == state, "message \(id) is \(state) but its last event says \(last[id] ?? "nothing")")
            }
            // The run covered the paths it set out to: a test that saw none of them proves nothing.
            for expected in [
                "->rejected", "->queued", "->scheduled", "->awaiting_consent", "queued>sending", "sending>scheduled", "scheduled>sending",
                "sending>sent", "sent>delivered", "sent>undelivered", "sending>failed", "failed>queued", "awaiting_consent>queued",
                "awaiting_consent>canceled", "awaiting_consent>expired", "scheduled>canceled",
            ] {
                #expect(pairs.contains(expected), "no \(expected) event in \(pairs.sorted())")
            }
        }
    }
}
