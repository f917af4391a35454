import Foundation
import GRDB
@testable import HeraldDaemon
import CarrierSimulator
import HeraldControl
import HeraldCore
import Testing

/// Segment credits end to end: a real daemon, its admin socket and the carrier simulator.
@Suite("Credits", .serialized)
struct CreditsTests {
    static let carol = "+16125550102"
    static let carolConfig = """
        [[orgs.users]]
        id = "carol"
        name = "Carol"
        number = "\(carol)"
        number_type = "long_code"
        rate = 5000.0
        """

    private func accepted(from sender: String, _ harness: DaemonHarness) async -> Int {
        await harness.simulator.messages().filter { $0.from == sender }.count
    }

    @Test("10, 0 and 1,000 credits and a burst: nothing beyond credits goes out, nothing is lost, allocation releases the held")
    func burst() async throws {
        try await DaemonHarness.withDaemon(extraConfig: Self.carolConfig) { harness in
            let admin = try await AdminClient.open(harness.adminSocket)
            for (user, credits) in [("alice", 10), ("bob", 0), ("carol", 1000)] {
                let allocation = try await admin.call(Admin.creditsAllocate(CreditsAllocateRequest(org: "acme", user: user, segments: credits, exactly: true)))
                #expect(allocation.old == nil && allocation.new == credits)
            }
            var rows: [OutboxRow] = []
            for index in 0..<30 {
                for user in ["alice", "bob", "carol"] {
                    rows.append(OutboxRow(sender: user, to: String(format: "+1612555%04d", 1000 + index), body: "\(user) burst \(index)"))
                }
            }
            let ids = try harness.insert(rows)
            #expect(try await harness.eventually {
                try harness.count(where: "held_reason = 'no_credits'") == 50 && harness.count(where: "state = 'delivered'") == 40
            })
            // Every text is delivered or held, and the held are not due before the credits' hourly
            // recheck: nothing beyond the credits can still reach the carrier.
            let heldLater = try await harness.producer.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE held_reason = 'no_credits' AND state = 'scheduled' AND not_before > ?",
                                 arguments: [Int64((Date().timeIntervalSince1970 + 600) * 1000)]) ?? 0
            }
            #expect(heldLater == 50)
            #expect(await accepted(from: DaemonHarness.alice, harness) == 10)
            #expect(await accepted(from: DaemonHarness.bob, harness) == 0)
            #expect(await accepted(from: Self.carol, harness) == 30)
            let held = try await admin.call(Admin.creditsShow(CreditsShowRequest(org: "acme", user: nil)))
            #expect(held.users.map { "\($0.user) \($0.credits.map(String.init) ?? "-") \($0.held)" } == ["alice 0 20", "bob 0 30", "carol 970 0"])
            let why = try await admin.call(Admin.why(MessageRef(ids[1])))
            #expect(why.heldReason == .noCredits)

            let alice = try await admin.call(Admin.creditsAllocate(CreditsAllocateRequest(org: "acme", user: "alice", segments: 20, note: "december")))
            #expect(alice.old == 0 && alice.new == 20 && alice.released == 20)
            let bob = try await admin.call(Admin.creditsAllocate(CreditsAllocateRequest(org: "acme", user: "bob", segments: 25)))
            #expect(bob.released == 30, "all become due; the claim sends what the credits pay for")
            #expect(try await harness.eventually {
                try harness.count(where: "state = 'delivered'") == 85 && harness.count(where: "held_reason = 'no_credits'") == 5
            })
            #expect(await accepted(from: DaemonHarness.bob, harness) == 25)
            let after = try await admin.call(Admin.creditsShow(CreditsShowRequest(org: "acme", user: nil)))
            #expect(after.users.map { "\($0.user) \($0.credits ?? -1) \($0.usedThisMonth) \($0.held)" } == ["alice 0 30 0", "bob 0 25 5", "carol 970 30 0"])
            #expect(after.orgUsedThisMonth == 85)
            // Nothing lost: every row is a message, delivered or still held for credits.
            #expect(try harness.count(where: "id IN (\(ids.map(String.init).joined(separator: ",")))") == 90)
            let keys = await harness.simulator.messages().compactMap(\.idempotencyKey)
            #expect(keys.count == Set(keys).count, "each message posted once")
            let log = try await harness.producer.read { db in
                try Row.fetchAll(db, sql: "SELECT user, segments, balance, note FROM credit_allocations ORDER BY id").map {
                    "\($0["user"] as String) \($0["segments"] as Int) \($0["balance"] as Int) \(($0["note"] as String?) ?? "-")"
                }
            }
            #expect(log == ["alice 10 10 -", "bob 0 0 -", "carol 1000 1000 -", "alice 20 20 december", "bob 25 25 -"])
        }
    }

    @Test("a text of more segments than the credits left waits; a retry is not charged twice")
    func segmentsAndRetries() async throws {
        try await DaemonHarness.withDaemon { harness in
            let admin = try await AdminClient.open(harness.adminSocket)
            _ = try await admin.call(Admin.creditsAllocate(CreditsAllocateRequest(org: "acme", user: "alice", segments: 3, exactly: true)))
            harness.simulator.failNext(2, status: 503)
            let long = String(repeating: "x", count: 200) // 2 segments
            let ids = try harness.insert([OutboxRow(to: "+16125550123", body: long), OutboxRow(to: "+16125550124", body: long)])
            #expect(try await harness.eventually { try harness.state(of: ids[0]) == "delivered" })
            #expect(try await harness.eventually { try harness.count(where: "held_reason = 'no_credits'") == 1 })
            let message = try #require(try await harness.database.message(ids[0]))
            #expect(message.attempts >= 2, "503s were retried")
            let credits = try await admin.call(Admin.creditsShow(CreditsShowRequest(org: "acme", user: "alice")))
            #expect(credits.users.first?.credits == 1, "3 - 2: the retries of the first text cost nothing more")
            let why = try await admin.call(Admin.why(MessageRef(ids[1])))
            #expect(why.heldReason == .noCredits)
            #expect(why.explanation.contains("credits"))
        }
    }

    @Test("a text the carrier refuses outright (4xx) gives its credits back; an unmetered user's texts are never charged later")
    func refusedTextsAreRefunded() async throws {
        try await DaemonHarness.withDaemon { harness in
            let admin = try await AdminClient.open(harness.adminSocket)
            harness.simulator.setError(for: "+16125550666", CarrierErrorReply(status: 400, code: 21211, message: "Invalid 'To' Phone Number"))
            let unmetered = try harness.insert([OutboxRow(sender: "bob", to: "+16125550125", body: "before metering")])[0]
            #expect(try await harness.eventually { try harness.state(of: unmetered) == "delivered" })
            _ = try await admin.call(Admin.creditsAllocate(CreditsAllocateRequest(org: "acme", user: "alice", segments: 5, exactly: true)))
            _ = try await admin.call(Admin.creditsAllocate(CreditsAllocateRequest(org: "acme", user: "bob", segments: 5, exactly: true)))
            let ids = try harness.insert([OutboxRow(to: "+16125550666", body: "to a bad number"), OutboxRow(to: "+16125550123", body: "fine")])
            #expect(try await harness.eventually { try harness.state(of: ids[0]) == "failed" && harness.state(of: ids[1]) == "delivered" })
            let credits = try await admin.call(Admin.creditsShow(CreditsShowRequest(org: "acme", user: nil)))
            #expect(credits.users.map { "\($0.user) \($0.credits ?? -1)" } == ["alice 4", "bob 5"], "only the delivered text cost alice a credit")
        }
    }
}
