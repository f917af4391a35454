import Foundation
import GRDB
import HeraldCore

extension QueueDatabase {
    /// Moves up to `limit` outbox rows into `message`, oldest first, in one transaction.
    /// Every row becomes a message (queued, scheduled, awaiting consent or rejected with its reason), and leaves the
    /// outbox in the same commit, so a row is never lost and never ingested twice.
    public func ingest(limit: Int, now: Date, directory: Directory, rules: IngestRules) async throws -> IngestReport {
        try await timedWrite { db in
            var intake = try MessageIntake(db, now: now, directory: directory, rules: rules)
            var broadcasts: [Int64] = []
            let select = try db.cachedStatement(sql: """
                SELECT id, org, sender, to_number, body, kind, send_at, expires_at, external_ref, idempotency_key, to_group, template, variables,
                    ? - (julianday(created_at) - 2440587.5) * 86400.0
                FROM outbox ORDER BY id LIMIT ?
                """)
            var lastID: Int64?
            var lags: [Double] = []
            lags.reserveCapacity(limit)
            // Read in place, column by position, every column as text (CurrentRow.text): the
            // rules judge what producers wrote. Only `message` and other tables are written
            // while this reads the outbox; the rows read leave it after the loop.
            try select.forEachRow(now.timeIntervalSince1970, limit) { row in
                let id = row.int64(0)
                lastID = id
                if let lag = row.optionalDouble(13) { lags.append(max(lag, 0)) }
                let submission = OutboxSubmission(
                    id: id, org: row.text(1), sender: row.text(2), toNumber: row.text(3),
                    body: row.text(4), kind: row.text(5), sendAt: row.text(6),
                    expiresAt: row.text(7), externalRef: row.text(8), idempotencyKey: row.text(9),
                    template: row.text(11), variables: row.text(12)
                )
                // A row addressed to a group becomes a broadcast, or a rejected message saying why not.
                if let group = row.text(10) {
                    switch try Broadcasts.accept(submission, group: group, directory: directory, rules: rules, now: now, in: db) {
                    case .success: broadcasts.append(submission.id)
                    case let .failure(reason): try intake.take(submission, refusal: reason)
                    }
                    return
                }
                try intake.take(submission)
            }
            guard let lastID else { return intake.report }
            try db.execute(sql: "DELETE FROM outbox WHERE id <= ?", arguments: [lastID])
            var report = intake.report
            report.broadcasts = broadcasts
            report.outboxLags = lags
            return report
        }
    }

    /// Whether anything waits in the outbox; O(1) on the primary key.
    public func outboxHasRows() async throws -> Bool {
        try await pool.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM outbox)") ?? false }
    }
}
