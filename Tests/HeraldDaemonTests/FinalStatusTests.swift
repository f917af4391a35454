import CarrierSimulator
import Foundation
import GRDB
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// Every text ends with its true final status, exactly once: lost callbacks are made up for by
/// lookups, and a post whose answer was lost is looked up (or held) instead of posted twice.
/// Against a simulator as strict as a real carrier: no dedupe by idempotency key.
@Suite("Final status, exactly once")
struct FinalStatusTests {
    static var strict: SimulatorConfiguration {
        var configuration = SimulatorConfiguration(callbackDelay: .milliseconds(20))
        configuration.dedupe = false
        configuration.callbackAttempts = 1
        return configuration
    }

    static func reasons(_ harness: DaemonHarness, _ id: Int64) async throws -> [String] {
        try await harness.database.events(of: id).map { "\($0.from?.rawValue ?? "-")>\($0.to.rawValue) \($0.reason ?? "-")" }
    }

    @Test("every callback lost: texts stay sent until looked up, then move on with reason reconciled; status counts those waiting")
    func lostCallbacksAreReconciled() async throws {
        try await DaemonHarness.withDaemon(simulator: Self.strict, extraConfig: "[reconcile]\nafter = 2\ngive_up_after = 3600") { harness in
            harness.simulator.loseCallbacks(fraction: 1)
            let ids = try harness.insert((0..<5).map { OutboxRow(to: String(format: "+1612555%04d", 8100 + $0), body: "no callback \($0)") })
            try await waitUntil("all sent", timeout: .seconds(60)) { try ids.allSatisfy { try harness.state(of: $0) == "sent" } }
            let waiting = try await harness.database.awaitingReconciliation()
            #expect((1...5).contains(waiting), "\(waiting) waiting for a lookup")
            try await waitUntil("all delivered by lookup", timeout: .seconds(60)) {
                try ids.allSatisfy { try harness.state(of: $0) == "delivered" }
            }
            for id in ids {
                #expect(try await Self.reasons(harness, id).last == "sent>delivered reconciled")
            }
            #expect(try await harness.database.awaitingReconciliation() == 0)
            #expect(harness.simulator.stats().callbacksSent == 0, "no callback reached heraldd")
        }
    }

    @Test("the carrier took the post and dropped the connection: looked up and found, never posted twice")
    func unknownOutcomeLookedUp() async throws {
        try await DaemonHarness.withDaemon(simulator: Self.strict, extraConfig: "[reconcile]\nafter = 1") { harness in
            // No callback comes to rescue it: only the lookups can tell what became of the text.
            harness.simulator.loseCallbacks(fraction: 1)
            harness.simulator.acceptThenDropNext(1)
            let id = try harness.insert([OutboxRow(to: "+16125558200", body: "taken, answer lost")])[0]
            try await waitUntil("delivered", timeout: .seconds(60)) { try harness.state(of: id) == "delivered" }
            let reasons = try await Self.reasons(harness, id)
            #expect(reasons.contains("sending>scheduled outcome_lookup"), "\(reasons)")
            // Found in the list at its next claim: sent with the carrier's sid, then delivered by lookup.
            #expect(Array(reasons.suffix(3)) == ["scheduled>sending -", "sending>sent -", "sent>delivered reconciled"], "\(reasons)")
            let held = try #require(try await harness.database.events(of: id).first { $0.reason == "outcome_lookup" })
            #expect(held.detail?.hasPrefix("unknown outcome: ") == true, "\(held.detail ?? "-")")
            // Found in the carrier's list: no second post, even though the carrier keeps no keys.
            #expect(harness.simulator.messages().filter { $0.to == "+16125558200" }.count == 1)
            #expect(harness.simulator.stats().acceptedMoreThanOnce == .init())
        }
    }

    @Test("unknown_outcome = hold: the text waits for an operator; retry posts it, and the queue lists it meanwhile")
    func unknownOutcomeHeld() async throws {
        try await DaemonHarness.withDaemon(simulator: Self.strict, carrierConfig: "unknown_outcome = \"hold\"") { harness in
            harness.simulator.dropNext(1)
            let id = try harness.insert([OutboxRow(to: "+16125558201", body: "connection dropped")])[0]
            try await waitUntil("held", timeout: .seconds(60)) {
                try await harness.database.message(id)?.heldReason == .unknownOutcome
            }
            let listed = try await harness.database.messages(state: .scheduled, held: .unknownOutcome, org: nil, to: nil, limit: 10)
            #expect(listed.map(\.id) == [id])
            #expect(harness.simulator.messages().isEmpty, "the dropped post never reached the carrier")
            let retried = try await harness.database.retry(ids: [id], failedOfOrg: nil, by: "test", now: Date())
            #expect(retried.changed == [id])
            try await waitUntil("delivered", timeout: .seconds(60)) { try harness.state(of: id) == "delivered" }
            let reasons = try await Self.reasons(harness, id)
            #expect(reasons.contains("sending>scheduled unknown_outcome"), "\(reasons)")
            #expect(reasons.contains("scheduled>queued retry"), "\(reasons)")
        }
    }
}
