import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Testing

@Suite("Store: broadcasts")
struct BroadcastTests {
    static let optedOut = "+16125550124"
    static let unknown = "+16125550125"
    static let jamaica = "+18765550100"
    static let spare = "+16125550126"

    /// Five members, one of each outcome a recipient can have.
    static func fiveMembers(_ fixture: StoreFixture) async throws {
        try await fixture.contact("in", numbers: [StoreFixture.contact], preferred: StoreFixture.contact)
        try await fixture.contact("out", numbers: [optedOut], preferred: optedOut)
        try await fixture.optOut(optedOut)
        try await fixture.contact("unknown", numbers: [unknown], preferred: unknown)
        try await fixture.contact("jamaica", numbers: [jamaica], preferred: jamaica)
        try await fixture.optIn(jamaica)
        try await fixture.contact("nopref", numbers: [spare], preferred: nil)
        try await fixture.optIn(spare)
        try await fixture.group("members", members: ["in", "out", "unknown", "jamaica", "nopref"])
    }

    @Test(arguments: Backend.allCases) func everyMemberGetsItsOwnOutcome(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        try await Self.fiveMembers(fixture)
        let id = try await fixture.produceBroadcast(group: "members")
        let report = try await fixture.ingest()
        #expect(report.broadcasts == [id])
        #expect(report.rejected.isEmpty)
        #expect(try await fixture.count("SELECT COUNT(*) FROM outbox") == 0)
        // The broadcast itself is not a message: its recipients are.
        #expect(try await fixture.db.message(id) == nil)

        // Batches of two: 2 + 2 + 1 members, the last batch finishing it.
        let batches = try await fixture.fanOutAll(limit: 2)
        #expect(batches.map(\.members) == [2, 2, 1])
        #expect(batches.map(\.finished) == [false, false, true])

        let rows = try await fixture.rows("SELECT id, to_number, state, reason, detail, kind FROM messages WHERE broadcast_id = ? ORDER BY id", [id])
        #expect(rows.count == 5)
        let outcomes = rows.map { "\($0["to_number"] as String? ?? "-") \($0["state"] as String) \($0["reason"] as String? ?? "-")" }
        #expect(outcomes == [
            "\(StoreFixture.contact) queued -",
            "\(Self.optedOut) rejected no_consent",
            "\(Self.unknown) rejected no_consent",
            "\(Self.jamaica) rejected invalid_number",
            "- rejected no_preferred_number",
        ])
        #expect(rows.allSatisfy { $0["kind"] as String == "bulk" })
        #expect((rows[1]["detail"] as String).contains("opted out"))
        #expect((rows[3]["detail"] as String).contains("Jamaica"))
        #expect((rows[4]["detail"] as String).contains("(nopref)"))
        // Exactly one event per message, as for any ingested row.
        #expect(try await fixture.count("SELECT COUNT(*) FROM message_event WHERE message_id IN (SELECT id FROM message WHERE broadcast_id = ?)", [id]) == 5)

        let broadcast = try #require(try await fixture.row("SELECT * FROM broadcasts WHERE id = ?", [id]))
        #expect(broadcast["state"] as String == "done")
        #expect(broadcast["members"] as Int == 5)
        #expect(broadcast["accepted"] as Int == 1)
        #expect(broadcast["rejected"] as Int == 4)
        #expect(broadcast["group_name"] as String == "members")
        #expect(broadcast["finished_at"] as String? != nil)

        let (_, tallies, recipients) = try #require(try await fixture.db.broadcast(id, state: "rejected", limit: 10))
        #expect(tallies.first == BroadcastTally(state: "rejected", reason: "no_consent", count: 2))
        #expect(tallies.reduce(0) { $0 + $1.count } == 5)
        #expect(recipients.count == 4)
    }

    @Test(arguments: Backend.allCases) func messageIDsNeverCollideWithTheNextOutboxRow(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let members = (0..<2_500).map { String(format: "+1612557%04d", $0) }
        // Two statements, not 5,000: VALUES rows are named column1, column2 in both SQLite and PostgreSQL.
        let values = members.enumerated().map { "('c\($0.offset)', '\($0.element)')" }.joined(separator: ", ")
        try await fixture.execute("INSERT INTO contact (org_id, external_id, created_at, updated_at) SELECT 'acme', column1, 0, 0 FROM (VALUES \(values)) AS v")
        try await fixture.execute("""
            INSERT INTO contact_number (org_id, number, contact_id, preferred_sms)
            SELECT 'acme', v.column2, c.id, 1 FROM (VALUES \(values)) AS v JOIN contact c ON c.org_id = 'acme' AND c.external_id = v.column1
            """)
        try await fixture.group("all", members: (0..<2_500).map { "c\($0)" })
        let id = try await fixture.produceBroadcast(group: "all")
        try await fixture.ingest()
        try await fixture.fanOutAll(limit: 1_000)
        #expect(try await fixture.count("SELECT COUNT(*) FROM message WHERE broadcast_id = ?", [id]) == 2_500)
        #expect(try await fixture.count("SELECT COUNT(DISTINCT to_number) FROM message WHERE broadcast_id = ?", [id]) == 2_500)
        let next = try await fixture.produce()
        let highest = try await fixture.count("SELECT MAX(id) FROM message")
        #expect(next > Int64(highest))
        try await fixture.ingest()
        #expect(try await fixture.state(next) == .queued)
    }

    @Test(arguments: Backend.allCases) func refusedBroadcastsAreRejectedMessagesWithTheirReason(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        try await fixture.contact("in", numbers: [StoreFixture.contact], preferred: StoreFixture.contact)
        try await fixture.group("members", members: ["in"])
        let unknownGroup = try await fixture.produceBroadcast(group: "nobody")
        let conversational = try await fixture.produceBroadcast(group: "members", kind: nil)
        let both = try await fixture.produceBroadcast(group: "members", to: StoreFixture.contact)
        let stranger = try await fixture.produceBroadcast(group: "members", sender: "mallory")
        let otherOrg = try await fixture.produceBroadcast(group: "members", org: "globex", sender: "bob")
        let report = try await fixture.ingest()
        #expect(report.broadcasts.isEmpty)
        #expect(report.rejected.map(\.messageID) == [unknownGroup, conversational, both, stranger, otherOrg])
        #expect(report.rejected.map(\.reason.code) == ["unknown_group", "group_needs_bulk", "number_and_group", "unknown_sender", "unknown_group"])
        let message = try #require(try await fixture.db.message(unknownGroup))
        #expect(message.state == .rejected)
        #expect(message.detail?.contains("heraldctl group create acme nobody") == true)
        #expect(try await fixture.count("SELECT COUNT(*) FROM broadcast") == 0)
    }

    @Test(arguments: Backend.allCases) func outsideTheWindowEachMemberIsHeldLikeAnyBulkText(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let second = "+16125550127"
        try await fixture.optIn(second)
        try await fixture.contact("a", numbers: [StoreFixture.contact], preferred: StoreFixture.contact)
        try await fixture.contact("b", numbers: [second], preferred: second)
        try await fixture.group("members", members: ["a", "b"])
        let rules = IngestRules(windows: WindowCalculator())
        // 08:00Z is 02:00 in Chicago: outside acme's 08:00-16:00 window.
        let broadcast = try await fixture.produceBroadcast(group: "members")
        let single = try await fixture.produce(kind: "bulk")
        _ = try await fixture.db.ingest(limit: 10, now: fixture.now, directory: try await fixture.db.loadDirectory(), rules: rules)
        try await fixture.fanOutAll(limit: 10, rules: rules)
        let direct = try #require(try await fixture.db.message(single))
        #expect(direct.state == .scheduled)
        let members = try await fixture.db.messages().filter { $0.id != single }
        #expect(members.count == 2)
        for member in members {
            #expect(member.state == .scheduled)
            #expect(member.heldReason == direct.heldReason)
            #expect(member.notBefore == direct.notBefore)
            #expect(member.notBefore > fixture.now)
        }
        #expect(try await fixture.count("SELECT COUNT(*) FROM message WHERE broadcast_id = ?", [broadcast]) == 2)
    }

    /// SQLite only: the failure is a SQLite TEMP trigger, and the restart reopens the file.
    @Test func aFanOutCutShortResumesFromItsCommittedCursor() async throws {
        let fixture = try await StoreFixture()
        try await Self.fiveMembers(fixture)
        let id = try await fixture.produceBroadcast(group: "members")
        try await fixture.ingest()
        let directory = try await fixture.db.loadDirectory()
        let first = try #require(try await fixture.db.fanOutBroadcast(limit: 2, now: fixture.now, directory: directory, rules: IngestRules(windows: nil)))
        #expect(first.members == 2)
        // A batch that fails half way leaves nothing behind: its messages and cursor roll back together.
        // (A temporary trigger lives on the pool's one writer connection.)
        try await fixture.sqlite.pool.write { db in
            try db.execute(sql: "CREATE TEMP TRIGGER fail_fourth AFTER INSERT ON message WHEN (SELECT COUNT(*) FROM message) >= 4 BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        }
        await #expect(throws: (any Error).self) {
            _ = try await fixture.db.fanOutBroadcast(limit: 2, now: fixture.now, directory: directory, rules: IngestRules(windows: nil))
        }
        try await fixture.sqlite.pool.write { db in try db.execute(sql: "DROP TRIGGER fail_fourth") }
        #expect(try await fixture.count("SELECT cursor FROM broadcast WHERE id = ?", [id]) == 2)
        #expect(try await fixture.count("SELECT COUNT(*) FROM message WHERE broadcast_id = ?", [id]) == 2)

        // heraldd restarts: a new connection pool on the same file carries on after the cursor.
        let path = fixture.path
        let reopened = try QueueDatabase(path: path)
        var batches = 0
        while let report = try await reopened.fanOutBroadcast(limit: 2, now: fixture.now, directory: try reopened.loadDirectory(), rules: IngestRules(windows: nil)) {
            batches += 1
            if report.finished { break }
        }
        #expect(batches == 2)
        #expect(try await fixture.count("SELECT COUNT(*) FROM message WHERE broadcast_id = ?", [id]) == 5)
        #expect(try await fixture.count("SELECT COUNT(DISTINCT coalesce(to_number, id)) FROM message WHERE broadcast_id = ?", [id]) == 5)
        #expect(try await fixture.count("SELECT members FROM broadcast WHERE id = ?", [id]) == 5)
        try reopened.pool.close()
    }

    @Test(arguments: Backend.allCases) func groupsAreUniquePerOrganizationAndChangesReportEachMember(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        try await fixture.contact("in", numbers: [StoreFixture.contact, Self.spare], preferred: StoreFixture.contact)
        try await fixture.contact("g", numbers: [StoreFixture.contact], preferred: StoreFixture.contact, org: "globex")
        _ = try await fixture.db.createGroup(org: "acme", name: "vip", now: fixture.now)
        // The same name in another organization is another group.
        _ = try await fixture.db.createGroup(org: "globex", name: "vip", now: fixture.now)
        await #expect(throws: ContactGroupError.exists(org: "acme", name: "vip")) {
            _ = try await fixture.db.createGroup(org: "acme", name: " vip ", now: fixture.now)
        }
        let added = try await fixture.db.changeMembers(
            org: "acme", name: "vip", [.number(Self.spare), .externalID("in"), .externalID("g"), .number(Self.jamaica)], remove: false, now: fixture.now
        )
        #expect(added.changed == 1)
        #expect(added.unchanged == 1)
        #expect(added.unknown == [.externalID("g"), .number(Self.jamaica)])
        let (summary, members) = try await fixture.db.group(org: "acme", name: "vip", limit: 10)
        #expect(summary.members == 1)
        #expect(members.map(\.preferredNumber) == [StoreFixture.contact])
        #expect(try await fixture.db.groups(org: nil).map { "\($0.org)/\($0.name)=\($0.members)" } == ["acme/vip=1", "globex/vip=0"])

        // While a broadcast to it fans out, the group keeps its members.
        let id = try await fixture.produceBroadcast(group: "vip")
        try await fixture.ingest()
        await #expect(throws: ContactGroupError.broadcastInProgress(name: "vip", broadcastID: id)) {
            _ = try await fixture.db.deleteGroup(org: "acme", name: "vip")
        }
        try await fixture.fanOutAll(limit: 10)
        let removed = try await fixture.db.changeMembers(org: "acme", name: "vip", [.externalID("in")], remove: true, now: fixture.now)
        #expect(removed.changed == 1)
        #expect(try await fixture.db.deleteGroup(org: "acme", name: "vip") == 0)
        #expect(try await fixture.db.groups(org: "acme").isEmpty)
        // The broadcast's messages outlive the group.
        #expect(try await fixture.count("SELECT COUNT(*) FROM message WHERE broadcast_id = ?", [id]) == 1)
    }
}
