import CarrierSimulator
import Foundation
import GRDB
@testable import HeraldDaemon
import HeraldControl
import HeraldCore
import Testing

/// Number provisioning and release end to end: a real daemon, the real simulator's numbers API,
/// the admin socket and the real heraldctl binary.
@Suite("Numbers over the admin socket", .serialized)
struct NumbersAdminTests {
    private typealias Run = (status: Int32, out: String, err: String)

    private func heraldctl(_ arguments: [String], _ harness: DaemonHarness, asNobody: Bool = false) async throws -> Run {
        try await offPool { try ReloadAndAccessTests.runHeraldctlBlocking(arguments + ["--socket", harness.adminSocket], asNobody: asNobody) }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ run: Run) throws -> T {
        do {
            return try AdminJSON.decoder().decode(type, from: Data(run.out.utf8))
        } catch {
            Issue.record("not a \(type): status \(run.status), out \(run.out), err \(run.err)")
            throw error
        }
    }

    /// Users made the operator's way: in the org, without a number.
    private func addUsers(_ users: [(id: String, cell: String?)], _ harness: DaemonHarness) async throws {
        for user in users {
            let run = try await heraldctl(["user", "add", user.id, "--org", "acme", "--name", user.id.capitalized]
                + (user.cell.map { ["--cell-phone", $0] } ?? []), harness)
            try #require(run.status == 0, "user add \(user.id): \(run.err)")
        }
    }

    private func numberRow(_ e164: String, _ harness: DaemonHarness) throws -> (status: String, user: String?, sid: String?, releasedAt: Int64?)? {
        try harness.producer.read { db in
            try Row.fetchOne(db, sql: "SELECT status, user_id, carrier_sid, released_at FROM phone_number WHERE e164 = ? ORDER BY id DESC",
                             arguments: [e164]).map { ($0["status"], $0["user_id"], $0["carrier_sid"], $0["released_at"]) }
        }
    }

    private func inboundOrg(to number: String, _ harness: DaemonHarness) throws -> String? {
        try harness.producer.read { db in try String.fetchOne(db, sql: "SELECT org FROM inbound_messages WHERE to_number = ?", arguments: [number]) }
    }

    @Test("provision reports each user: numbers bought by cell area code and by a given one, with Herald's webhooks; failures stand alone")
    func provision() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ReloadAndAccessTests.heraldctlPath))
        try await DaemonHarness.withDaemon { harness in
            try await addUsers([("carol", "(612) 555-0177"), ("dave", nil), ("erin", "415-555-0190"), ("frank", nil), ("gina", nil)], harness)
            harness.simulator.setExhaustedAreaCodes(["415"])

            let mixed = try await heraldctl(["numbers", "provision", "--org", "acme", "--users", "carol,dave,erin,alice,zed",
                                             "--match-cell-area-code", "--json"], harness)
            #expect(mixed.status == 1, "some users failed: \(mixed.err)")
            let report = try decode(NumbersProvisionResult.self, mixed)
            #expect(report.users.map(\.user) == ["carol", "dave", "erin", "alice", "zed"])
            #expect(report.users.map { $0.error?.code ?? "ok" } == ["ok", "no_cell_phone", "no_numbers", "has_number", "unknown_user"])
            let carol = try #require(report.users.first)
            // +1 612 555 0100 and 0101 are alice's and bob's (configured): not for sale to us.
            #expect(carol.number == "+16125550102" && carol.areaCode == "612")
            #expect(report.users[2].error?.message.contains("area code 415") == true)
            #expect(report.users[3].error?.message.contains(DaemonHarness.alice) == true)

            let bought = harness.simulator.provisionedNumbers()
            #expect(bought.map(\.phoneNumber) == ["+16125550102"])
            #expect(bought.first?.sid == carol.carrierSid)
            #expect(bought.first?.smsURL == harness.webhookURL + "/webhooks/inbound")
            #expect(bought.first?.statusCallback == harness.webhookURL + "/webhooks/status")
            let row = try #require(try numberRow("+16125550102", harness))
            #expect(row.status == "active" && row.user == "carol" && row.sid == carol.carrierSid)

            let given = try await heraldctl(["numbers", "provision", "--org", "acme", "--users", "frank,gina", "--area-code", "604"], harness)
            #expect(given.status == 0, "\(given.err)")
            #expect(given.out.contains("frank  604        +16045550100"), "\(given.out)")
            #expect(given.out.contains("gina   604        +16045550101"), "\(given.out)")
            #expect(harness.simulator.provisionedNumbers().count == 3)

            // Ingest and dispatch know the new sender at once.
            let sent = try harness.insert([OutboxRow(sender: "carol", to: "+16125550190", body: "from my new number")])[0]
            #expect(try await harness.eventually { try harness.state(of: sent) == "delivered" })
            #expect(harness.simulator.messages().first { $0.body == "from my new number" }?.from == "+16125550102")
            // Replies come back through the number's SmsUrl, to the right organization.
            let reply = try await harness.simulator.injectInbound(from: "+16125550190", to: "+16125550102", body: "thanks")
            #expect(reply.webhookURL == harness.webhookURL + "/webhooks/inbound" && reply.status < 300)
            #expect(try inboundOrg(to: "+16125550102", harness) == "acme")

            let list = try await heraldctl(["numbers", "list", "--org", "acme", "--json"], harness)
            #expect(list.status == 0, "\(list.err)")
            let listed = try decode(NumbersListResult.self, list)
            #expect(listed.users.map { "\($0.user) \($0.number ?? "-") \($0.cellPhone ?? "-")" } == [
                "alice \(DaemonHarness.alice) -", "bob \(DaemonHarness.bob) -", "carol +16125550102 +16125550177", "dave - -",
                "erin - +14155550190", "frank +16045550100 -", "gina +16045550101 -",
            ])
            let table = try await heraldctl(["numbers", "list", "--org", "acme"], harness)
            #expect(table.out.hasPrefix("USER   NAME   NUMBER        CELL PHONE"), "\(table.out)")
        }
    }

    @Test("release refuses without the flag and changes nothing; with it the carrier and the row let go and waiting texts are held sender_released")
    func release() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ReloadAndAccessTests.heraldctlPath))
        try await DaemonHarness.withDaemon { harness in
            try await addUsers([("carol", "(651) 555-0177")], harness)
            let provisioned = try await heraldctl(["numbers", "provision", "--org", "acme", "--users", "carol", "--match-cell-area-code"], harness)
            #expect(provisioned.status == 0, "\(provisioned.err)")
            let number = "+16515550100"
            #expect(harness.simulator.provisionedNumbers().map(\.phoneNumber) == [number])

            let later = try harness.insert([OutboxRow(sender: "carol", to: "+16125550191", body: "tomorrow", sendAt: "2099-01-01T00:00:00Z")])[0]
            // Failed now, retried after the release: it reaches a claim without passing the release's own hold.
            harness.simulator.setError(for: "+16125550193", CarrierErrorReply(status: 400, code: 21211, message: "Invalid 'To' Phone Number"))
            let failing = try harness.insert([OutboxRow(sender: "carol", to: "+16125550193", body: "to a bad number")])[0]
            #expect(try await harness.eventually { try harness.state(of: later) == "scheduled" && harness.state(of: failing) == "failed" })

            let refused = try await heraldctl(["numbers", "release", "--org", "acme", "--users", "carol"], harness)
            #expect(refused.status == 1)
            #expect(refused.err.contains("irreversible") && refused.err.contains("\(number) of carol (1 waiting text would be held sender_released)"),
                    "\(refused.err)")
            #expect(refused.err.contains("--confirm-irreversible"))
            #expect(try numberRow(number, harness)?.status == "active")
            #expect(harness.simulator.provisionedNumbers().map(\.phoneNumber) == [number])
            #expect(try harness.count(where: "id = \(later) AND held_reason = 'send_at'") == 1)

            let released = try await heraldctl(["numbers", "release", "--org", "acme", "--users", "carol,alice", "--confirm-irreversible", "--json"], harness)
            #expect(released.status == 1, "alice's configured number cannot be released: \(released.err)")
            let report = try decode(NumbersReleaseResult.self, released)
            #expect(report.users.map { $0.error?.code ?? "ok" } == ["ok", "configured"])
            #expect(report.users[0].number == number && report.users[0].held == [later])
            #expect(harness.simulator.provisionedNumbers().isEmpty)
            let row = try #require(try numberRow(number, harness))
            #expect(row.status == "released" && row.releasedAt != nil)
            #expect(try numberRow(DaemonHarness.alice, harness)?.status == "active")
            #expect(try harness.count(where: "id = \(later) AND state = 'scheduled' AND held_reason = 'sender_released'") == 1)
            let why = try decode(WhyResult.self, try await heraldctl(["why", "\(later)", "--json"], harness))
            #expect(why.heldReason == .senderReleased && why.explanation.contains("released"))

            // Released for good: a text that becomes due later is held at its claim, never posted.
            harness.simulator.setError(for: "+16125550193", nil)
            let retry = try await heraldctl(["retry", "\(failing)"], harness)
            #expect(retry.status == 0, "\(retry.err)")
            #expect(try await harness.eventually { try harness.count(where: "id = \(failing) AND held_reason = 'sender_released'") == 1 })
            #expect(try harness.state(of: failing) == "scheduled")
            #expect(harness.simulator.messages().allSatisfy { $0.from != number })

            let again = try await heraldctl(["numbers", "release", "--org", "acme", "--users", "carol", "--confirm-irreversible"], harness)
            #expect(again.status == 1 && again.out.contains("no_number: carol has no provisioned number"), "\(again.out)")
        }
    }

    @Test("group members may list numbers but not provision or release them",
          .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root to run heraldctl as nobody through setpriv"))
    func access() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ReloadAndAccessTests.heraldctlPath))
        try await DaemonHarness.withDaemon { harness in
            try await addUsers([("carol", "(651) 555-0177")], harness)
            chmod(harness.directory.path, 0o755)
            chmod(harness.adminSocket, 0o666)
            let list = try await heraldctl(["numbers", "list", "--org", "acme"], harness, asNobody: true)
            #expect(list.status == 0 && list.out.contains("carol"), "\(list.err)")
            let provision = try await heraldctl(["numbers", "provision", "--org", "acme", "--users", "carol", "--area-code", "651"],
                                                harness, asNobody: true)
            #expect(provision.status == 77 && provision.err.contains("nobody (uid 65534) may only read"), "\(provision.err)")
            let release = try await heraldctl(["numbers", "release", "--org", "acme", "--users", "alice"], harness, asNobody: true)
            #expect(release.status == 77)
            #expect(harness.simulator.provisionedNumbers().isEmpty)
        }
    }
}
