import Foundation
import GRDB
import HeraldControl
import Testing

/// Groups and broadcasts through a real daemon, its admin socket, the real heraldctl binary and
/// the simulator.
@Suite("Broadcasts", .serialized)
struct BroadcastDaemonTests {
    private typealias Run = (status: Int32, out: String, err: String)

    static let members = ["+16125550201", "+16125550202", "+16125550203"]
    static let neverAsked = "+16125550204"

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

    /// Four contacts of acme, the first three opted in; external ids c1…c4.
    private func contacts(_ harness: DaemonHarness) throws {
        try harness.producer.write { db in
            for (index, number) in (Self.members + [Self.neverAsked]).enumerated() {
                try db.execute(sql: "INSERT INTO contact (org_id, external_id, first_name, created_at, updated_at) VALUES ('acme', ?, ?, 0, 0)",
                               arguments: ["c\(index + 1)", "Member \(index + 1)"])
                try db.execute(sql: "INSERT INTO contact_number (org_id, number, contact_id, label, preferred_sms) VALUES ('acme', ?, ?, 'mobile', 1)",
                               arguments: [number, db.lastInsertedRowID])
            }
        }
        try harness.optIn(Self.members.map { (DaemonHarness.org, $0) })
    }

    /// Recipient quiet hours open all day, like the test organization's window, so bulk texts go
    /// whatever the hour the test runs; windows are still evaluated for each of them.
    static func allDayWindows() throws -> (config: String, file: URL) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("herald-all-day-\(UUID().uuidString).toml")
        try "default_hours = \"00:00-23:59\"\n".write(to: file, atomically: true, encoding: .utf8)
        return ("[windows]\nrules_file = \"\(file.path)\"\n", file)
    }

    @Test("heraldctl builds a group; a broadcast reaches each member once; a reply comes back 1:1")
    func groupBroadcastAndReply() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ReloadAndAccessTests.heraldctlPath))
        let windows = try Self.allDayWindows()
        defer { try? FileManager.default.removeItem(at: windows.file) }
        try await DaemonHarness.withDaemon(extraConfig: windows.config) { harness in
            try contacts(harness)
            #expect(try await heraldctl(["group", "create", "fans", "--org", "acme"], harness).status == 0)
            let again = try await heraldctl(["group", "create", "fans", "--org", "acme"], harness)
            #expect(again.status == 1)
            #expect(again.err.contains("already has a group named \"fans\""))

            // By number in any format and by external id; an unknown member is named, the rest added.
            let added = try await heraldctl(["group", "add", "fans", "--org", "acme", "(612) 555-0201", "6125550202",
                                             "--external-id", "c3", "--external-id", "c4", "--external-id", "nobody", "--json"], harness)
            #expect(added.status == 1)
            let change = try decode(GroupChangeResult.self, added)
            #expect(change.changed == 4)
            #expect(change.unknown.map(\.member) == ["nobody"])
            let shown = try decode(GroupShowResult.self, try await heraldctl(["group", "show", "fans", "--org", "acme", "--json"], harness))
            #expect(shown.group.members == 4)
            #expect(shown.members.map(\.preferredSms) == Self.members.map { Optional($0) } + [Self.neverAsked])

            let id = try await harness.producer.write { db in
                try db.execute(sql: "INSERT INTO outbox (org, sender, to_group, body, kind) VALUES ('acme', 'alice', 'fans', 'Doors open at 9', 'bulk')")
                return db.lastInsertedRowID
            }
            #expect(try await harness.eventually { try harness.count(where: "broadcast_id = \(id) AND state = 'delivered'") == 3 })
            #expect(try harness.count(where: "broadcast_id = \(id) AND state = 'rejected' AND reason = 'no_consent'") == 1)
            let accepted = harness.simulator.messages()
            #expect(accepted.map(\.to).sorted() == Self.members)
            #expect(accepted.allSatisfy { $0.from == DaemonHarness.alice && $0.body == "Doors open at 9" })

            let show = try decode(BroadcastShowResult.self, try await heraldctl(["broadcast", "show", "\(id)", "--json"], harness))
            #expect(show.state == "done")
            #expect(show.members == 4)
            #expect(show.counts.contains(.init(state: "delivered", reason: nil, count: 3)))
            #expect(show.counts.contains(.init(state: "rejected", reason: "no_consent", count: 1)))
            #expect(show.recipients.count == 4)
            let human = try await heraldctl(["broadcast", "show", "\(id)", "--state", "rejected"], harness)
            #expect(human.out.contains(Self.neverAsked))
            #expect(human.out.contains("no_consent"))
            #expect(try await heraldctl(["broadcast", "show", "999999"], harness).status == 1)

            // The reply goes to the sender's own number and is stored as that member's reply;
            // nobody else in the group hears of it.
            let before = try harness.count(where: "1")
            let reply = try await harness.simulator.injectInbound(from: Self.members[1], to: DaemonHarness.alice, body: "See you there")
            #expect(reply.status == 200)
            let stored = try harness.producer.read { db in
                try Row.fetchOne(db, sql: "SELECT org, from_number, to_number, body FROM inbound_messages ORDER BY id DESC LIMIT 1")
            }
            #expect(stored?["org"] as String? == DaemonHarness.org)
            #expect(stored?["from_number"] as String? == Self.members[1])
            #expect(stored?["to_number"] as String? == DaemonHarness.alice)
            // The webhook answers once the reply and anything it queued are committed: the count is
            // final now, and once nothing is on its way the carrier has all it will ever get.
            #expect(try harness.count(where: "1") == before)
            #expect(try await harness.eventually { try harness.count(where: "state IN ('queued', 'scheduled', 'sending', 'sent')") == 0 })
            #expect(harness.simulator.messages().count == 3)

            // The group can go once its broadcast is done; the messages stay.
            #expect(try await heraldctl(["group", "delete", "fans", "--org", "acme"], harness).status == 0)
            #expect(try harness.count(where: "broadcast_id = \(id)") == 4)
        }
    }

    @Test("group changes need admin rights; reading a group does not",
          .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root to run heraldctl as nobody through setpriv"))
    func groupChangesAreAdminOnly() async throws {
        try await DaemonHarness.withDaemon { harness in
            try contacts(harness)
            #expect(try await heraldctl(["group", "create", "fans", "--org", "acme"], harness).status == 0)
            // Stands in for membership of group herald: nobody may open the socket, no more.
            chmod(harness.directory.path, 0o755)
            chmod(harness.adminSocket, 0o666)
            let denied = try await heraldctl(["group", "add", "fans", "--org", "acme", Self.members[0]], harness, asNobody: true)
            #expect(denied.status == 77)
            #expect(try await heraldctl(["group", "create", "other", "--org", "acme"], harness, asNobody: true).status == 77)
            let listed = try await heraldctl(["group", "list", "--org", "acme"], harness, asNobody: true)
            #expect(listed.status == 0)
            #expect(listed.out.contains("fans"))
        }
    }
}
