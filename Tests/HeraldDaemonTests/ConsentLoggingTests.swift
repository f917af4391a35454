import Foundation
import HeraldControl
import HeraldCore
@testable import HeraldDaemon
import HeraldStore
import Logging
import Synchronization
import Testing

/// The admin controller's consent commands against a real queue database, with a logger that
/// keeps what the journal would get: every consent change is evidence, logged at notice.
@Suite("Consent changes in the log")
struct ConsentLoggingTests {
    private final class Journal: Sendable {
        let lines = Mutex<[(level: Logger.Level, message: String, metadata: [String: String])]>([])
        let wakes = Atomic<Int>(0)

        var logger: Logger {
            var logger = Logger(label: "heraldd-test") { _ in Handler(journal: self) }
            logger.logLevel = .debug
            return logger
        }

        /// `number consent consent_type changed_by` of each consent_changed line at notice.
        var consentChanges: [String] {
            lines.withLock { lines in
                lines.filter { $0.level == .notice && $0.metadata["event"] == "consent_changed" }.map { line in
                    ["number", "consent", "consent_type", "changed_by", "org"].map { line.metadata[$0] ?? "-" }.joined(separator: " ")
                }
            }
        }

        private struct Handler: LogHandler {
            let journal: Journal
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .debug

            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }

            func log(event: LogEvent) {
                let merged = metadata.merging(event.metadata ?? [:]) { $1 }.mapValues { "\($0)" }
                journal.lines.withLock { $0.append((event.level, "\(event.message)", merged)) }
            }
        }
    }

    private let peer = AdminPeer(pid: 1, uid: 1000, gid: 1000, user: "alice")

    private func respond<P, R>(_ call: AdminCall<P, R>, _ controller: AdminController) async throws -> Data {
        var upload = ContactsUpload()
        return Data(await controller.respond(to: call, as: peer, upload: &upload))
    }

    @Test("consent_set and contacts_import log each change as consent_changed; a release wakes the dispatcher; a dry run logs nothing")
    func logged() async throws {
        let folder = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try QueueDatabase(path: folder.appendingPathComponent("herald.db").path)
        let now = Date()
        try await database.upsert(organizations: [OrganizationRecord(
            id: "acme", name: "Acme", timeZone: "America/Chicago", windowStart: "00:00", windowEnd: "23:59", windowDays: nil,
            senders: [SenderRecord(userID: "alice", name: "Alice", number: DaemonHarness.alice, numberType: "long_code", rate: 10)]
        )], now: now)
        let directory = try await database.loadDirectory()
        let journal = Journal()
        let controller = AdminController(
            database: database, directory: try await SharedDirectory(windows: WindowCalculator()) { try await database.loadDirectory() },
            clock: SystemWallClock(), logger: journal.logger,
            startedAt: now, sendRate: { 0 }, wake: { journal.wakes.add(1, ordering: .relaxed) }
        )
        let journey = try await database.insertOutbox(org: "acme", sender: "alice", to: "6125550190", body: "see you", kind: "journey")
        _ = try await database.ingest(limit: 10, now: now, directory: directory, rules: IngestRules(windows: nil))
        #expect(try await database.message(journey)?.state == .awaitingConsent)

        let set = try AdminJSON.decoder().decode(AdminResponse<ConsentSetResult>.self, from: try await respond(Admin.consentSet(ConsentSetRequest(
            org: "acme", number: "(612) 555-0190", state: "opted_in", type: "web", by: "dana")), controller)).get()
        #expect(set.released == [journey])
        #expect(journal.wakes.load(ordering: .relaxed) == 1, "released texts are due now")
        #expect(journal.consentChanges == ["+16125550190 opted_in web dana acme"])

        _ = try await respond(Admin.consentSet(ConsentSetRequest(org: "acme", number: "6125550190", state: "opted_in", type: "web", by: "dana")), controller)
        #expect(journal.consentChanges.count == 1, "nothing changed, nothing logged")

        let csv = "first_name,last_name,email,phone,consent,consent_type\nAda,L,,6125550140,opted_out,email\n"
        _ = try await respond(Admin.contactsImport(ContactsImportChunk(org: "acme", csv: csv, more: false, by: "erin", dryRun: true)), controller)
        #expect(journal.consentChanges.count == 1, "a dry run changes nothing")
        let imported = try AdminJSON.decoder().decode(AdminResponse<ContactsImportResult>.self, from: try await respond(Admin.contactsImport(ContactsImportChunk(org: "acme", csv: csv, more: false, by: "erin")), controller)).get()
        #expect(imported.consentChanges == 1)
        #expect(journal.consentChanges == ["+16125550190 opted_in web dana acme", "+16125550140 opted_out email erin acme"])
        let summary = journal.lines.withLock { $0.map(\.message) }.first { $0.hasPrefix("contacts import into acme") }
        #expect(summary?.contains("alice (uid 1000)") == true, "\(summary ?? "no summary line")")
    }
}
