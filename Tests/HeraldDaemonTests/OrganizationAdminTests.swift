import Foundation
import GRDB
@testable import HeraldDaemon
import HeraldControl
import HeraldCore
import Testing

/// Organizations, users and templates managed with the real heraldctl binary against a real
/// daemon, then used by an outbox row that goes through the simulator.
@Suite("Organizations and users over the admin socket", .serialized)
struct OrganizationAdminTests {
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

    @Test("create an org and a user, refuse invalid settings by name, send a templated, signed text from them")
    func createAndSend() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ReloadAndAccessTests.heraldctlPath))
        try await DaemonHarness.withDaemon { harness in
            let created = try decode(OrganizationResult.self, try await heraldctl([
                "org", "create", "west", "--name", "Acme West", "--timezone", "America/Denver", "--window", "00:00-23:59", "--json",
            ], harness))
            #expect(created.managedBy == "admin" && created.timezone == "America/Denver" && created.windowEnd == "23:59")

            let badZone = try await heraldctl(["org", "create", "east", "--name", "East", "--timezone", "Mars/Olympus"], harness)
            #expect(badZone.status == 64 && badZone.err.contains("Mars/Olympus"), "\(badZone)")
            let badWindow = try await heraldctl(["org", "set", "west", "--window", "09:00-09:00"], harness)
            #expect(badWindow.status == 64 && badWindow.err.contains("empty"), "\(badWindow)")
            let badText = try await heraldctl(["org", "set", "west", "--help-text", "Call {phone}"], harness)
            #expect(badText.status == 64 && badText.err.contains("{phone}"), "\(badText)")
            let configOrg = try await heraldctl(["org", "set", "acme", "--window", "10:00-19:00"], harness)
            #expect(configOrg.status == 1 && configOrg.err.contains("herald.toml"), "\(configOrg)")
            let duplicate = try await heraldctl(["org", "create", "west", "--name", "Again"], harness)
            #expect(duplicate.status == 1 && duplicate.err.contains("already exists"), "\(duplicate)")
            // Stands in for membership of group herald: nobody may open the socket, no more.
            chmod(harness.directory.path, 0o755)
            chmod(harness.adminSocket, 0o666)
            let asNobody = try await heraldctl(["org", "create", "north", "--name", "North"], harness, asNobody: true)
            #expect(asNobody.status == 77, "\(asNobody)")
            let listed = try decode(OrganizationListResult.self, try await heraldctl(["org", "list", "--json"], harness, asNobody: true))
            #expect(listed.organizations.map(\.org) == ["acme", "west"])

            let badCell = try await heraldctl(["user", "add", "erin", "--org", "west", "--cell-phone", "+1 876 555 0100"], harness)
            #expect(badCell.status == 64 && badCell.err.contains("cell_phone"), "\(badCell)")
            // Dana's number, as provisioning would record it.
            try await harness.producer.write { db in
                try db.execute(sql: """
                    INSERT INTO phone_number (e164, org_id, user_id, status, provisioned_at, rate) VALUES ('+16125550150', 'west', 'dana', 'active', 0, 5000)
                    """)
            }
            let dana = try decode(UserResult.self, try await heraldctl([
                "user", "add", "dana", "--org", "west", "--name", "Dana Ruiz", "--cell-phone", "(612) 555-0188",
                "--email", "dana@west.example", "--signature=- Dana, Acme West", "--json",
            ], harness))
            #expect(dana.cellPhone == "+16125550188" && dana.number == "+16125550150" && dana.credits == nil)
            let template = try await heraldctl(["template", "set", "reminder", "--org", "west", "Hi {first_name}, {user_name} sees you {day}."], harness)
            #expect(template.status == 0, "\(template)")

            try harness.optIn([(org: "west", number: "+16125550123"), (org: "west", number: "+16125550124")])
            let ids = try await harness.producer.write { db in
                try [#"{"first_name":"Ana","day":"Friday"}"#, #"{"day":"Friday"}"#].map { variables in
                    try db.execute(sql: """
                        INSERT INTO outbox (org, sender, to_number, template, variables, kind) VALUES ('west', 'dana', ?, 'reminder', ?, 'conversational')
                        """, arguments: [variables.contains("Ana") ? "+16125550123" : "+16125550124", variables])
                    return db.lastInsertedRowID
                }
            }
            #expect(try await harness.eventually { try harness.state(of: ids[0]) == "delivered" && harness.state(of: ids[1]) == "rejected" })
            let sent = try #require(await harness.simulator.messages().first { $0.from == "+16125550150" })
            #expect(sent.body == "Hi Ana, Dana Ruiz sees you Friday.\n- Dana, Acme West")
            let rejection = try await harness.producer.read { db in
                try Row.fetchOne(db, sql: "SELECT reason, detail FROM messages WHERE id = ?", arguments: [ids[1]])
            }
            #expect(rejection?["reason"] == "template_variable_missing")
            #expect((rejection?["detail"] as String?)?.contains("{first_name}") == true)

            // A window closed now that meets the recipient's daytime hours (Central) on weekdays:
            // in force for the next ingested row at once.
            var denver = Calendar(identifier: .gregorian)
            denver.timeZone = TimeZone(identifier: "America/Denver")!
            let hour = denver.component(.hour, from: Date())
            let window = (10..<19).contains(hour) ? "07:00-09:00" : "10:00-19:00"
            let changed = try decode(OrganizationResult.self, try await heraldctl([
                "org", "set", "west", "--window", window, "--weekdays", "mon,tue,wed,thu,fri", "--help-text", "{org_name}: call us.", "--json",
            ], harness))
            #expect(changed.windowStart == String(window.prefix(5)) && changed.weekdays == "mon,tue,wed,thu,fri" && changed.helpText == "{org_name}: call us.")
            let bulk = try await harness.producer.write { db in
                try db.execute(sql: "INSERT INTO outbox (org, sender, to_number, body, kind) VALUES ('west', 'dana', '+16125550123', 'Sale!', 'bulk')")
                return db.lastInsertedRowID
            }
            #expect(try await harness.eventually { try harness.state(of: bulk) == "scheduled" })
            let held = try await harness.producer.read { db in try String.fetchOne(db, sql: "SELECT held_reason FROM messages WHERE id = ?", arguments: [bulk]) }
            let row = try await harness.producer.read { db in try Row.fetchOne(db, sql: "SELECT * FROM messages WHERE id = ?", arguments: [bulk]) }
            #expect(held == "org_window", "\(row.debugDescription)")

            let log = try await harness.producer.read { db in
                try Row.fetchAll(db, sql: "SELECT actor, command, org, target FROM admin_changes ORDER BY id").map {
                    "\($0["command"] as String) \($0["org"] as String) \($0["target"] as String) \(($0["actor"] as String).contains("uid 0"))"
                }
            }
            #expect(log == ["org_create west west true", "user_add west dana true", "template_set west reminder true", "org_set west west true"])
        }
    }
}
