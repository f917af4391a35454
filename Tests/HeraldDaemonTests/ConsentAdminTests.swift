import Foundation
import GRDB
@testable import HeraldDaemon
import HeraldControl
import HeraldCore
import Testing

/// Contacts import, consent and opt-in requests end to end: a real daemon, its admin socket, and
/// the real heraldctl binary.
@Suite("Consent over the admin socket", .serialized)
struct ConsentAdminTests {
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

    /// The fixture, copied where any user may read it.
    private func fixture(in harness: DaemonHarness) throws -> String {
        let source = try #require(Bundle.module.url(forResource: "contacts-mixed", withExtension: "csv", subdirectory: "Fixtures"))
        let copy = harness.directory.appendingPathComponent("contacts-mixed.csv")
        try FileManager.default.copyItem(at: source, to: copy)
        return copy.path
    }

    private func contactCount(_ harness: DaemonHarness) throws -> Int {
        try harness.producer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM contact") ?? 0 }
    }

    @Test("contacts import: a dry run writes nothing; the import reports each bad row by spreadsheet row and reason")
    func importFixture() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ReloadAndAccessTests.heraldctlPath))
        try await DaemonHarness.withDaemon { harness in
            let file = try fixture(in: harness)
            let dry = try await heraldctl(["contacts", "import", file, "--org", "acme", "--by", "dana", "--dry-run", "--json"], harness)
            #expect(dry.status == 1, "rows were rejected: \(dry.err)")
            let preview = try decode(ContactsImportResult.self, dry)
            #expect(preview.dryRun && preview.imported == 3)
            #expect(try contactCount(harness) == 0)

            let run = try await heraldctl(["contacts", "import", file, "--org", "acme", "--by", "dana", "--json"], harness)
            #expect(run.status == 1, "\(run.err)")
            let result = try decode(ContactsImportResult.self, run)
            #expect(!result.dryRun)
            #expect(result.rows == 8 && result.imported == 3 && result.numbers == 4)
            #expect(result.rejected.map { "\($0.row) \($0.code)" } == [
                "4 bad_number", "5 not_us_ca", "6 duplicate_number", "7 bad_email", "8 bad_consent",
            ])
            #expect(result.rejected.first { $0.row == 6 }?.message.contains("already on row 2") == true)
            #expect(result.consentChanges == 2)
            #expect(try contactCount(harness) == 3)
            #expect(result == ContactsImportResult(
                org: preview.org, dryRun: false, rows: preview.rows, imported: preview.imported, numbers: preview.numbers,
                rejected: preview.rejected, ignoredColumns: preview.ignoredColumns, consentChanges: preview.consentChanges,
                canceled: preview.canceled, released: preview.released
            ), "the dry run foretold the import")

            let again = try await heraldctl(["contacts", "import", file, "--org", "acme", "--by", "dana"], harness)
            #expect(again.status == 1)
            #expect(again.out.contains("imported 0 of 8 rows into acme"), "\(again.out)")
            #expect(again.out.contains("duplicate_external_id") && again.out.contains("external_id \"crm-1\" already names contact"), "\(again.out)")

            let shown = try decode(ConsentShowResult.self, try await heraldctl(["consent", "show", "612 555 0141", "--org", "acme", "--json"], harness))
            #expect(shown.number == "+16125550141" && shown.state == "opted_in")
            #expect(shown.history.map { "\($0.old)→\($0.new) \($0.type) \($0.changedBy) \($0.wording ?? "-") \($0.note ?? "-")" } == [
                "unknown→opted_in paper dana Signup form v3 contacts import, row 2",
            ])
            let noBy = try await heraldctl(["contacts", "import", file, "--org", "acme", "--dry-run"], harness)
            #expect(noBy.status == 64 && noBy.err.contains("--by USERNAME"), "\(noBy.err)")
        }
    }

    @Test("a file larger than a request line goes in pieces over one connection, multi-byte text intact")
    func largeImport() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ReloadAndAccessTests.heraldctlPath))
        try await DaemonHarness.withDaemon { harness in
            var text = "first_name,last_name,email,mobile_phone\n"
            for index in 0..<6000 { text += "\"Zoë, \"\"Z\"\" \(index)\",Ñúñez 日本,,+1 612 556 \(String(format: "%04d", index))\n" }
            #expect(text.utf8.count > 3 * AdminProtocol.maxLineBytes)
            let file = harness.directory.appendingPathComponent("large.csv")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let run = try await heraldctl(["contacts", "import", file.path, "--org", "acme", "--json"], harness)
            #expect(run.status == 0, "\(run.err)")
            let result = try decode(ContactsImportResult.self, run)
            #expect(result.imported == 6000 && result.rejected.isEmpty)
            let last = try harness.producer.read { db in
                try Row.fetchOne(db, sql: "SELECT first_name, last_name FROM contacts WHERE number = '+16125565999'")
            }
            #expect(last?["first_name"] as String? == "Zoë, \"Z\" 5999")
            #expect(last?["last_name"] as String? == "Ñúñez 日本")
        }
    }

    @Test("an upload lives on its connection: a hang-up or a piece for another org discards it")
    func uploadPieces() async throws {
        try await DaemonHarness.withDaemon(extraConfig: ReloadAndAccessTests.betaOrg) { harness in
            let header = "first_name,last_name,email,phone\nAda,Lovelace,,6125550140\n"
            let rest = "Grace,Hopper,,6125550141\n"
            do {
                let first = try await AdminClient.open(harness.adminSocket)
                let progress = try await first.call(Admin.contactsImport(ContactsImportChunk(org: "acme", csv: header, more: true)))
                #expect(progress == .progress(ContactsImportProgress(receivedBytes: header.utf8.count)))
            }
            // The first connection is gone, and its piece with it: the rest alone has no header.
            let second = try await AdminClient.open(harness.adminSocket)
            do {
                _ = try await second.call(Admin.contactsImport(ContactsImportChunk(org: "acme", csv: rest, more: false)))
                Issue.record("a piece of a dropped connection's upload was imported")
            } catch let error as AdminError {
                #expect(error.code == .badRequest)
                #expect(error.message.contains("header lacks"), "\(error.message)")
            }

            do {
                _ = try await second.call(Admin.contactsImport(ContactsImportChunk(org: "initech", csv: header, more: true)))
                Issue.record("an upload for an unknown org was taken")
            } catch let error as AdminError {
                #expect(error.code == .notFound, "said at the first piece: \(error.message)")
            }

            _ = try await second.call(Admin.contactsImport(ContactsImportChunk(org: "acme", csv: header, more: true)))
            do {
                _ = try await second.call(Admin.contactsImport(ContactsImportChunk(org: "beta", csv: rest, more: true)))
                Issue.record("a piece for another org joined the upload")
            } catch let error as AdminError {
                #expect(error.code == .badRequest && error.message.contains("discarded"), "\(error.message)")
            }
            let fresh = try await second.call(Admin.contactsImport(ContactsImportChunk(org: "acme", csv: header, more: true)))
            #expect(fresh.receivedBytes == header.utf8.count, "the discarded upload left nothing behind")
            let done = try await second.call(Admin.contactsImport(ContactsImportChunk(org: "acme", csv: rest, more: false)))
            #expect(done.result?.imported == 2)
            #expect(try contactCount(harness) == 2)
        }
    }

    @Test("an upload over the cap is refused and discarded; the next starts afresh")
    func uploadCap() throws {
        var upload = ContactsUpload(limit: 10)
        #expect(try upload.add(ContactsImportChunk(org: "acme", csv: "123456", more: true)) == .partial(receivedBytes: 6))
        #expect(throws: AdminError.self) { try upload.add(ContactsImportChunk(org: "acme", csv: "78901", more: true)) }
        #expect(try upload.add(ContactsImportChunk(org: "acme", csv: "abc", more: false))
            == .complete(ContactsImportChunk(org: "acme", csv: "abc", more: false)))
    }

    @Test("consent set records who and how, releases or cancels pending texts; consent show lists the ledger")
    func consentSetAndShow() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ReloadAndAccessTests.heraldctlPath))
        try await DaemonHarness.withDaemon { harness in
            let number = "+16125550190"
            let journey = try harness.insert([OutboxRow(to: number, body: "your appointment", kind: "journey")], optIn: false)[0]
            #expect(try await harness.eventually { try harness.state(of: journey) == "awaiting_consent" })

            let set = ["consent", "set", "(612) 555-0190", "--org", "acme", "--state", "opted_in", "--type", "paper", "--by", "dana",
                       "--wording", "Signup form v3"]
            let optIn = try await heraldctl(set, harness)
            #expect(optIn.status == 0, "\(optIn.err)")
            #expect(optIn.out.contains("\(number) in acme: unknown → opted_in") && optIn.out.contains("1 released"), "\(optIn.out)")
            #expect(try await harness.eventually { try harness.state(of: journey) != "awaiting_consent" })
            let unchanged = try await heraldctl(set, harness)
            #expect(unchanged.status == 0)
            #expect(unchanged.out.contains("already opted_in; nothing recorded"), "\(unchanged.out)")

            let held = try harness.insert([OutboxRow(to: number, body: "later", sendAt: "2099-01-01T00:00:00Z")], optIn: false)[0]
            #expect(try await harness.eventually { try harness.state(of: held) == "scheduled" })
            let optOut = try await heraldctl(["consent", "set", number, "--org", "acme", "--state", "opted_out", "--type", "phone",
                                              "--by", "erin", "--note", "called the office", "--json"], harness)
            let result = try decode(ConsentSetResult.self, optOut)
            #expect(result.old == "opted_in" && result.new == "opted_out" && result.changed)
            #expect(result.canceled.contains(held))
            #expect(try harness.state(of: held) == "canceled")

            let shown = try decode(ConsentShowResult.self, try await heraldctl(["consent", "show", "6125550190", "--org", "acme", "--json"], harness))
            #expect(shown.state == "opted_out")
            #expect(shown.history.map { "\($0.old)→\($0.new) \($0.type) \($0.changedBy) \($0.wording ?? "-") \($0.note ?? "-")" } == [
                "unknown→opted_in paper dana Signup form v3 -", "opted_in→opted_out phone erin - called the office",
            ])
            let table = try await heraldctl(["consent", "show", "6125550190", "--org", "acme"], harness)
            #expect(table.out.hasPrefix("\(number) in acme: opted_out\nAT "), "\(table.out)")
            #expect(table.out.contains("CHANGED BY") && table.out.contains("opted_in → opted_out") && table.out.contains("erin"), "\(table.out)")

            let reserved = try await heraldctl(["consent", "set", number, "--org", "acme", "--state", "opted_in", "--type", "sms_response",
                                                "--by", "dana"], harness)
            #expect(reserved.status == 64 && reserved.err.contains("reserved for the contact's own replies"), "\(reserved.err)")
            let badNumber = try await heraldctl(["consent", "show", "555-0123", "--org", "acme"], harness)
            #expect(badNumber.status == 64 && badNumber.err.contains("\"555-0123\""), "\(badNumber.err)")
            let noOrg = try await heraldctl(["consent", "show", number, "--org", "initech"], harness)
            #expect(noOrg.status == 1 && noOrg.err.contains("no organization"), "\(noOrg.err)")
        }
    }

    @Test("optin request queues the org's template from the user's number; a second within 12 hours is refused with next_allowed")
    func optInRequest() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ReloadAndAccessTests.heraldctlPath))
        try await DaemonHarness.withDaemon { harness in
            let request = ["optin", "request", "--org", "acme", "--user", "alice", "--to", "(612) 555-0191"]
            let first = try await heraldctl(request + ["--json"], harness)
            #expect(first.status == 0, "\(first.err)")
            let queued = try decode(OptInRequestAnswer.self, first)
            let id = try #require(queued.messageID)
            #expect(queued.refused == nil && queued.to == "+16125550191" && queued.notBefore != nil)
            let message = try #require(await harness.database.message(id))
            #expect(message.kind == "opt_in_request" && message.from == DaemonHarness.alice)
            #expect(message.body?.hasPrefix("Acme: Alice would like to send you text messages") == true, "\(message.body ?? "")")

            let second = try await heraldctl(request + ["--json"], harness)
            #expect(second.status == 1)
            let refused = try decode(OptInRequestAnswer.self, second)
            #expect(refused.messageID == nil && refused.refused?.code == "optin_spacing")
            let next = try #require(refused.refused?.nextAllowed)
            #expect(abs(next.timeIntervalSince(message.createdAt) - 12 * 3600) < 1, "12 hours after the first: \(next) vs \(message.createdAt)")
            let human = try await heraldctl(request, harness)
            #expect(human.status == 1 && human.err.contains("refused (optin_spacing)") && human.err.contains("the next may go at"), "\(human.err)")

            _ = try await heraldctl(["consent", "set", "6125550192", "--org", "acme", "--state", "opted_out", "--type", "email", "--by", "dana"], harness)
            let optedOut = try decode(OptInRequestAnswer.self, try await heraldctl(
                ["optin", "request", "--org", "acme", "--user", "bob", "--to", "6125550192", "--json"], harness))
            #expect(optedOut.refused?.code == "opted_out" && optedOut.refused?.nextAllowed == nil)
            let nobody = try await heraldctl(["optin", "request", "--org", "acme", "--user", "mallory", "--to", "6125550193"], harness)
            #expect(nobody.status == 1 && nobody.err.contains("no user \"mallory\""), "\(nobody.err)")
        }
    }

    @Test("a read-only peer may show consent and dry-run an import, but not change consent (exit 77)",
          .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root to run heraldctl as nobody through setpriv"))
    func readOnlyPeer() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ReloadAndAccessTests.heraldctlPath))
        try await DaemonHarness.withDaemon { harness in
            let file = try fixture(in: harness)
            // Stands in for membership of group herald: nobody may open the socket, no more.
            chmod(harness.directory.path, 0o755)
            chmod(harness.adminSocket, 0o666)
            let set = try await heraldctl(["consent", "set", "6125550190", "--org", "acme", "--state", "opted_in", "--type", "paper",
                                           "--by", "dana"], harness, asNobody: true)
            #expect(set.status == 77)
            #expect(set.err.contains("nobody (uid 65534) may only read"), "\(set.err)")
            let optIn = try await heraldctl(["optin", "request", "--org", "acme", "--user", "alice", "--to", "6125550190"], harness, asNobody: true)
            #expect(optIn.status == 77)
            let importing = try await heraldctl(["contacts", "import", file, "--org", "acme", "--by", "dana"], harness, asNobody: true)
            #expect(importing.status == 77, "\(importing.err)")
            let dry = try await heraldctl(["contacts", "import", file, "--org", "acme", "--by", "dana", "--dry-run"], harness, asNobody: true)
            #expect(dry.status == 1 && dry.out.contains("dry run: would import 3 of 8 rows"), "\(dry.out) \(dry.err)")
            let show = try await heraldctl(["consent", "show", "6125550190", "--org", "acme"], harness, asNobody: true)
            #expect(show.status == 0 && show.out.contains("unknown"), "\(show.err)")
            #expect(try contactCount(harness) == 0)
            #expect(try await harness.database.consent(org: "acme", number: "+16125550190") == .unknown)
        }
    }
}
