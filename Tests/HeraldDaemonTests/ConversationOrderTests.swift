import CarrierSimulator
import Foundation
import HeraldCore
import Testing

/// Texts of one conversation reach the carrier one at a time, highest priority first: a contact
/// who answers YES reads the opt-in confirmation before the journeys it released.
@Suite("Order within a conversation")
struct ConversationOrderTests {
    @Test("one YES releases three waiting journeys, 20 times: the carrier gets the confirmation first, then the journeys in order")
    func confirmationFirst() async throws {
        let clock = TransitionHistoryTests.NoonClock()
        // Some carrier latency, so that texts posted together would overtake each other.
        var simulator = SimulatorConfiguration(callbackDelay: .milliseconds(20))
        simulator.callbackAttempts = 1
        try await DaemonHarness.withDaemon(simulator: simulator, clock: clock) { harness in
            harness.simulator.setLatency(.milliseconds(15))
            let contacts = (0..<20).map { String(format: "+1612555%04d", 7100 + $0) }
            var journeys: [String: [Int64]] = [:]
            for contact in contacts {
                journeys[contact] = try harness.insert((1...3).map {
                    OutboxRow(to: contact, body: "journey \($0) for \(contact)", kind: "journey")
                }, optIn: false)
            }
            // Each contact got its opt-in request before anyone answers.
            #expect(try await harness.eventually(timeout: .seconds(60)) {
                contacts.allSatisfy { contact in harness.simulator.messages().contains { $0.to == contact } }
            })
            for contact in contacts {
                #expect(try await harness.simulator.injectInbound(from: contact, to: DaemonHarness.alice, body: "YES").status == 200)
            }
            let all = contacts.flatMap { journeys[$0]! }
            #expect(try await harness.eventually(timeout: .seconds(90)) {
                try all.allSatisfy { try ["sent", "delivered"].contains(harness.state(of: $0) ?? "") }
            })
            for contact in contacts {
                let received = harness.simulator.messages().filter { $0.to == contact }.map(\.body)
                #expect(received.count == 5, "\(contact): \(received)")
                #expect(received.first?.contains("Reply YES to opt in") == true, "\(contact): \(received)")
                #expect(received.dropFirst().first?.hasPrefix("You're all set") == true, "confirmation first for \(contact): \(received)")
                #expect(Array(received.dropFirst(2)) == (1...3).map { "journey \($0) for \(contact)" }, "\(contact): \(received)")
            }
        }
    }
}
