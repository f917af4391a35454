import Foundation
import GRDB
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import HeraldStore

/// The backends the store suite runs over (GRDB's habit: one suite, every backend). A test that
/// takes `Backend.allCases` as arguments holds for both; one that stays SQLite-only says why.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgresql
    var testDescription: String { rawValue }
}

/// What the store tests ask of a queue, whichever backend holds it: the seam's protocols, plus the
/// reads and setup calls both backends offer. `DirectoryStore`'s setup calls are async here, as the
/// PostgreSQL store's are; SQLite's synchronous ones satisfy them.
protocol TestedStore: OutboxIntake, DispatchStore, CarrierReports, ConsentStore, OperatorStore, ReconcileStore, RetentionStore,
    ReplyForwardQueue, MetricsStore {
    func messages(state: MessageState?, limit: Int) async throws -> [MessageSnapshot]
    func upsert(organizations: [OrganizationRecord], now: Date) async throws
    func loadDirectory() async throws -> Directory
    func usersForwardingReplies() async throws -> [String]
    func users(org: String) async throws -> [UserEntry]
    func userNumbers(org: String, ids: [String]?) async throws -> [UserNumbers]
    func pendingCount(from number: String) async throws -> Int
    func recordProvisioned(org: String, user: String, number: String, carrierSID: String, by actor: String, now: Date) async throws -> ProvisionRecording
    func recordReleased(org: String, user: String, by actor: String, now: Date, recheck: Date) async throws -> ReleaseRecording
    func resumeSenderReleased(from number: String, now: Date) async throws -> Int
    func addUser(org: String, id: String, settings: UserSettings, actor: String, now: Date) async throws -> UserEntry
    func allocateCredits(org: String, user: String, segments: Int, exactly: Bool, changedBy: String, note: String?, now: Date) async throws -> CreditAllocation
    func createGroup(org: String, name: String, actor: String?, now: Date) async throws -> ContactGroupSummary
    func groups(org: String?) async throws -> [ContactGroupSummary]
    func group(org: String, name: String, limit: Int) async throws -> (ContactGroupSummary, [ContactGroupMember])
    func changeMembers(org: String, name: String, _ refs: [GroupMemberRef], remove: Bool, actor: String?, now: Date) async throws -> GroupMembershipChange
    func deleteGroup(org: String, name: String, actor: String?, now: Date) async throws -> Int
    func setTemplate(org: String, name: String, text: String, actor: String, now: Date) async throws -> TemplateEntry
}

extension QueueDatabase: TestedStore {}
extension PostgresQueue: TestedStore {}

/// The defaults the stores' own signatures give, which an existential does not carry.
extension TestedStore {
    func claimDue(now: Date, limit: Int, decide: @escaping @Sendable (ClaimCandidate) -> DispatchVerdict) async throws -> DispatchCommit {
        try await claimDue(now: now, limit: limit, recording: [], lookback: { _ in nil }, decide: decide)
    }

    func messages() async throws -> [MessageSnapshot] {
        try await messages(state: nil, limit: 1_000_000)
    }

    func messages(state: MessageState?) async throws -> [MessageSnapshot] {
        try await messages(state: state, limit: 1_000_000)
    }

    func receive(_ inbound: InboundReport, now: Date, directory: Directory) async throws -> StoredInbound {
        try await receive(inbound, now: now, directory: directory, forwarding: false)
    }

    func usage() async throws -> [UsageRow] {
        try await usage(org: nil)
    }

    func createGroup(org: String, name: String, now: Date) async throws -> ContactGroupSummary {
        try await createGroup(org: org, name: name, actor: nil, now: now)
    }

    func changeMembers(org: String, name: String, _ refs: [GroupMemberRef], remove: Bool, now: Date) async throws -> GroupMembershipChange {
        try await changeMembers(org: org, name: name, refs, remove: remove, actor: nil, now: now)
    }

    func deleteGroup(org: String, name: String) async throws -> Int {
        try await deleteGroup(org: org, name: name, actor: nil, now: Date())
    }

    func userNumbers(org: String) async throws -> [UserNumbers] {
        try await userNumbers(org: org, ids: nil)
    }

    func expireAwaitingConsent(now: Date) async throws -> [(id: Int64, org: String)] {
        try await expireAwaitingConsent(now: now, limit: 500)
    }
}

/// A real queue for one test: a SQLite file in a fresh temp folder, or a database of its own on
/// the test process's private PostgreSQL cluster; removed when the last test holding it is done.
final class StoreFixture: Sendable {
    static let alice = "+16125550100"
    static let carol = "+16125550101"
    static let bob = "+12125550199"
    static let contact = "+16125550123"
    let backend: Backend
    let db: any TestedStore
    /// Whole milliseconds, as the store keeps instants: 2027-01-15T08:00:00Z.
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    private let sqliteDatabase: QueueDatabase?
    private let folder: URL?
    private let postgres: TemporaryPostgresQueue?

    init(_ backend: Backend = .sqlite, seed: Bool = true, reconcile: ReconcileSchedule = .standard) async throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            let folder = try Self.temporaryFolder()
            let database = try QueueDatabase(path: folder.appendingPathComponent("herald.db").path, reconcile: reconcile)
            self.folder = folder
            sqliteDatabase = database
            postgres = nil
            db = database
        case .postgresql:
            let temporary = try await TemporaryPostgresQueue(reconcile: reconcile)
            folder = nil
            sqliteDatabase = nil
            postgres = temporary
            db = temporary.queue
        }
        if seed {
            try await db.upsert(organizations: Self.organizations, now: now)
            // Most store tests are about the queue, not consent: their usual recipient has opted in.
            try await optIn(Self.contact, org: "acme")
            try await optIn(Self.contact, org: "globex")
        }
    }

    /// The SQLite store, for the tests that are about SQLite itself (its files, pragmas, query plans).
    var sqlite: QueueDatabase {
        guard let sqliteDatabase else { preconditionFailure("a SQLite-only test made a \(backend) fixture") }
        return sqliteDatabase
    }

    /// The SQLite file.
    var path: String { sqlite.path }

    /// The PostgreSQL store, for the tests that are about PostgreSQL itself.
    var postgresQueue: PostgresQueue {
        guard let postgres else { preconditionFailure("a PostgreSQL-only test made a \(backend) fixture") }
        return postgres.queue
    }

    /// The PostgreSQL database's name on the test cluster.
    var postgresDatabaseName: String {
        guard let postgres else { preconditionFailure("a PostgreSQL-only test made a \(backend) fixture") }
        return postgres.name
    }

    /// Another instance on this fixture's PostgreSQL database, sharing the queue as `id`.
    func instance(_ id: String) throws -> SharingPostgresQueue {
        guard let postgres else { preconditionFailure("a PostgreSQL-only test made a \(backend) fixture") }
        return try SharingPostgresQueue(postgres, as: InstanceIdentity(id: id, host: "test-host", pid: 1, version: "test", startedAt: now))
    }

    deinit {
        try? sqliteDatabase?.pool.close()
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("herald-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let organizations = [
        OrganizationRecord(
            id: "acme", name: "Acme", timeZone: "America/Chicago", windowStart: "08:00", windowEnd: "16:00", windowDays: nil,
            senders: [
                SenderRecord(userID: "alice", name: "Alice", number: alice, numberType: "long_code", rate: 1),
                SenderRecord(userID: "carol", name: "Carol", number: carol, numberType: "toll_free", rate: 3),
            ]
        ),
        OrganizationRecord(
            id: "globex", name: "Globex", timeZone: "America/New_York", windowStart: "10:00", windowEnd: "19:00",
            windowDays: ["mon", "tue"],
            senders: [SenderRecord(userID: "bob", name: "Bob", number: bob, numberType: "short_code", rate: 100)]
        ),
    ]

    /// Records an opt-in the way staff would (type `api`), in its own transaction.
    func optIn(_ number: String, org: String = "acme") async throws {
        try await execute("""
            INSERT INTO consent_ledger (org_id, number, at, old_state, new_state, consent_type, changed_by)
            SELECT ?, ?, 0, 'unknown', 'opted_in', 'api', 'store-fixture'
            WHERE NOT EXISTS (SELECT 1 FROM consent WHERE org_id = ? AND number = ? AND state = 'opted_in')
            """, [org, number, org, number])
    }

    /// What a producer does: one INSERT into `outbox`. Returns the row's id.
    @discardableResult
    func produce(
        org: String? = "acme", sender: String? = "alice", to: String? = "(612) 555-0123", body: String? = "Hello",
        kind: String? = nil, sendAt: String? = nil, expiresAt: String? = nil, key: String? = nil, ref: String? = nil
    ) async throws -> Int64 {
        try await insert("""
            INSERT INTO outbox (org, sender, to_number, body, kind, send_at, expires_at, idempotency_key, external_ref)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [org, sender, to, body, kind, sendAt, expiresAt, key, ref])
    }

    @discardableResult
    func ingest(at time: Date? = nil, limit: Int = 1_000) async throws -> IngestReport {
        let directory = try await db.loadDirectory()
        return try await db.ingest(limit: limit, now: time ?? now, directory: directory, rules: IngestRules(windows: nil))
    }

    /// Produces and ingests one row; returns the message id.
    @discardableResult
    func queued(
        kind: String? = nil, sender: String = "alice", to: String = "(612) 555-0123", at time: Date? = nil, expiresAt: String? = nil
    ) async throws -> Int64 {
        let id = try await produce(sender: sender, to: to, kind: kind, expiresAt: expiresAt)
        let report = try await ingest(at: time)
        #expect(report.rejected.isEmpty, "\(report.rejected)")
        return id
    }

    /// A reply through the webhook's store call, with the organizations as loaded.
    func receive(_ inbound: InboundReport, now time: Date) async throws -> StoredInbound {
        try await db.receive(inbound, now: time, directory: try await db.loadDirectory())
    }

    /// A `system` message, as only Herald makes them: the answer to a contact's HELP at `time`.
    func systemReply(at time: Date? = nil) async throws -> Int64 {
        let stored = try await receive(InboundReport(from: Self.contact, to: Self.alice, body: "HELP", sid: nil), now: time ?? now)
        return try #require(stored.reply)
    }

    func claimAll(at time: Date? = nil, limit: Int = 1_000) async throws -> [ClaimedMessage] {
        try await db.claimDue(now: time ?? now, limit: limit) { _ in .send }.claimed
    }

    func state(_ id: Int64) async throws -> MessageState? {
        try await db.message(id)?.state
    }
}

extension Date {
    var unixMillis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}

extension StoreFixture {
    /// Usage rows as `org user month messages=N segments=N`.
    func usageLines(org: String? = nil) async throws -> [String] {
        try await db.usage(org: org).map { "\($0.org) \($0.user) \($0.month) messages=\($0.messages) segments=\($0.segments)" }
    }
}
