import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Testing

/// A real queue database in a fresh temp folder, removed when the last test holding it is done.
final class StoreFixture: Sendable {
    static let alice = "+16125550100"
    static let carol = "+16125550101"
    static let bob = "+12125550199"
    static let contact = "+16125550123"
    let folder: URL
    let path: String
    let db: QueueDatabase
    /// Whole milliseconds, as the store keeps instants: 2027-01-15T08:00:00Z.
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    init(seed: Bool = true) throws {
        folder = try Self.temporaryFolder()
        path = folder.appendingPathComponent("herald.db").path
        db = try QueueDatabase(path: path)
        if seed {
            try db.upsert(organizations: Self.organizations, now: now)
            // Most store tests are about the queue, not consent: their usual recipient has opted in.
            try optIn(Self.contact, org: "acme")
            try optIn(Self.contact, org: "globex")
        }
    }

    /// Records an opt-in the way staff would (type `api`), in its own transaction.
    func optIn(_ number: String, org: String = "acme") throws {
        try db.pool.write { db in
            try db.execute(sql: """
                INSERT INTO consent_ledger (org_id, number, at, old_state, new_state, consent_type, changed_by)
                SELECT ?1, ?2, 0, 'unknown', 'opted_in', 'api', 'store-fixture'
                WHERE NOT EXISTS (SELECT 1 FROM consent WHERE org_id = ?1 AND number = ?2 AND state = 'opted_in')
                """, arguments: [org, number])
        }
    }

    deinit {
        try? db.pool.close()
        try? FileManager.default.removeItem(at: folder)
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

    /// What a producer does: one INSERT into `outbox`. Returns the row's id.
    @discardableResult
    func produce(
        org: String? = "acme", sender: String? = "alice", to: String? = "(612) 555-0123", body: String? = "Hello",
        kind: String? = nil, sendAt: String? = nil, expiresAt: String? = nil, key: String? = nil, ref: String? = nil
    ) async throws -> Int64 {
        try await db.pool.write { db in
            try db.execute(sql: """
                INSERT INTO outbox (org, sender, to_number, body, kind, send_at, expires_at, idempotency_key, external_ref)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [org, sender, to, body, kind, sendAt, expiresAt, key, ref])
            return db.lastInsertedRowID
        }
    }

    @discardableResult
    func ingest(at time: Date? = nil, limit: Int = 1_000) async throws -> IngestReport {
        let directory = try db.loadDirectory()
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
        try await db.receive(inbound, now: time, directory: try db.loadDirectory())
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

    func count(_ sql: String, _ arguments: StatementArguments = []) async throws -> Int {
        try await db.pool.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }

    func row(_ sql: String, _ arguments: StatementArguments = []) async throws -> Row? {
        // Row is not Sendable: read it synchronously.
        try db.pool.read { db in try Row.fetchOne(db, sql: sql, arguments: arguments) }
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
