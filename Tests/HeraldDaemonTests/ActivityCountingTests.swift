import CarrierSimulator
import Foundation
import HeraldDaemon
import Testing

/// The rollups and the send rate are only as good as the counts behind them: each transition is
/// counted once, by the code that committed it.
@Suite("Activity counts", .serialized)
struct ActivityCountingTests {
    @Test("Counts per event agree with the database after a run with every kind of outcome")
    func countsMatchTheQueue() async throws {
        try await DaemonHarness.withDaemon { harness in
            let refused = ["+16125550701", "+16125550702"]
            let unsubscribed = ["+16125550711", "+16125550712"]
            for number in refused {
                harness.simulator.setError(for: number, CarrierErrorReply(status: 400, code: 21211, message: "Invalid 'To' Phone Number"))
            }
            for number in unsubscribed {
                harness.simulator.setError(for: number, CarrierErrorReply(status: 400, code: 21610, message: "Attempt to send to unsubscribed recipient"))
            }
            harness.simulator.setDeliveryError(for: "+16125550721", DeliveryError(status: .undelivered, code: 30005))
            harness.simulator.setDeliveryError(for: "+16125550722", DeliveryError(status: .failed, code: 21610))
            harness.simulator.throttleNext(2, retryAfterSeconds: 1)

            var rows = (0..<20).map { OutboxRow(to: String(format: "+1612555%04d", $0), body: "count \($0)") }
            rows += (refused + unsubscribed + ["+16125550721", "+16125550722"]).map { OutboxRow(to: $0, body: "trouble") }
            rows += [OutboxRow(to: "+1 876 555 0100", body: "Jamaica"), OutboxRow(to: "+16125550123", body: "")]
            try harness.insert(rows)

            let final = "state IN ('delivered', 'undelivered', 'failed', 'rejected')"
            let done = try await harness.eventually(timeout: .seconds(60)) { try harness.count(where: final) == rows.count }
            #expect(done, "final: \((try? harness.count(where: final)) ?? -1) of \(rows.count)")

            // Each count follows its commit by a moment: wait for the last callbacks' counts to land.
            let activity = harness.daemon.activity
            let settled = try await harness.eventually(timeout: .seconds(10)) {
                let tally = activity.tally()
                return try tally[.delivered] == harness.count(where: "state = 'delivered'")
                    && tally[.undelivered] == harness.count(where: "state = 'undelivered'")
                    && tally[.failed] + tally[.optedOut] == harness.count(where: "state = 'failed'")
            }
            #expect(settled, "\(activity.tally())")
            let tally = activity.tally()
            #expect(tally[.queued] == 26)
            #expect(tally[.rejected] == 2)
            #expect(tally[.sent] == 22)
            #expect(tally[.delivered] == 20)
            #expect(tally[.undelivered] == 1)
            #expect(tally[.failed] == 2)
            #expect(tally[.optedOut] == 3)
            #expect(tally[.throttled] == 2)
            // Holds at claim time (other messages of a sender the carrier throttled): one per new hold
            // reason, never for sender-rate flow control, as the event log records them.
            let holds = try await harness.producer.read { db in
                try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM (
                        SELECT from_state, to_state, reason, LAG(to_state) OVER w AS previous_state, LAG(reason) OVER w AS previous_reason
                        FROM message_events WINDOW w AS (PARTITION BY message_id ORDER BY id))
                    WHERE to_state = 'scheduled' AND from_state IN ('queued', 'scheduled') AND reason != 'sender_rate'
                        AND NOT (previous_state = 'scheduled' AND previous_reason IS reason)
                    """) ?? -1
            }
            #expect(tally[.held] == holds)
            let (delivered, failed, rejected) = try (harness.count(where: "state = 'delivered'"),
                                                     harness.count(where: "state = 'failed'"), harness.count(where: "state = 'rejected'"))
            #expect(tally[.delivered] == delivered)
            #expect(tally[.failed] + tally[.optedOut] == failed)
            #expect(tally[.rejected] == rejected)
            let accepted = harness.simulator.stats().accepted
            #expect(tally[.sent] == accepted)
            #expect(harness.daemon.activity.sendRate() > 0)
        }
    }

    @Test("callbacks that overtake the POST's answer: each text is still counted sent once, and delivered")
    func callbacksAheadOfTheAnswer() async throws {
        // Callbacks go out at once, the answer a second after the text was taken on: the carrier
        // reports sent and delivered before Herald hears its POST went through.
        let texts = 5
        let activity = try await DaemonHarness.withDaemon(simulator: SimulatorConfiguration(callbackDelay: .zero)) { harness in
            harness.simulator.setAnswerDelay(.seconds(1))
            try harness.insert((0..<texts).map { OutboxRow(to: String(format: "+1612555%04d", 800 + $0), body: "ahead \($0)") })
            let delivered = try await harness.eventually(timeout: .seconds(60)) { try harness.count(where: "state = 'delivered'") == texts }
            #expect(delivered, "delivered: \((try? harness.count(where: "state = 'delivered'")) ?? -1) of \(texts)")
            let overtaken = try await harness.producer.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message_event WHERE to_state IN ('sent', 'delivered') AND from_state = 'sending' AND reason = 'status_callback'") ?? 0
            }
            #expect(overtaken > 0, "no callback came before its POST's answer: the test shows nothing")
            #expect(harness.simulator.stats().accepted == texts)
            return harness.daemon.activity
        }
        // Stopped: every answer is written and counted by now.
        #expect(activity.tally()[.sent] == texts, "\(activity.tally())")
        #expect(activity.tally()[.delivered] == texts, "\(activity.tally())")
    }
}
