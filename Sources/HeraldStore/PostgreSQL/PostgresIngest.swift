import Foundation
import HeraldCore
import PostgresNIO

extension PostgresQueue {
    /// Moves up to `limit` outbox rows into `message`, oldest first, in one transaction: every
    /// row becomes a message (or a broadcast) and leaves the outbox in the same commit. Rows are
    /// taken `FOR UPDATE SKIP LOCKED`, so instances ingesting at once split the outbox between
    /// them instead of waiting for each other or taking a row twice.
    public func ingest(limit: Int, now: Date, directory: Directory, rules: IngestRules) async throws -> IngestReport {
        try await write { session in
            var intake = PostgresMessageIntake(session, now: now, directory: directory, rules: rules)
            var broadcasts: [Int64] = []
            // Every column as text, whatever the producer wrote: the ingest rules judge it.
            let rows = try await session.rows("""
                SELECT id, org, sender, to_number, body, kind, send_at, expires_at, external_ref, idempotency_key, to_group, template, variables,
                    CASE WHEN created_at ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$'
                        THEN \(now.timeIntervalSince1970)::float8 - extract(epoch FROM created_at::timestamptz)::float8 END
                FROM outbox ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """)
            guard !rows.isEmpty else { return intake.report }
            var taken: [Int64] = []
            var lags: [Double] = []
            for row in rows {
                let (id, org, sender, to, body, kind, sendAt, expiresAt, externalRef, key, group, template, variables, lag) = try row.decode(
                    (Int64, String?, String?, String?, String?, String?, String?, String?, String?, String?, String?, String?, String?, Double?).self)
                taken.append(id)
                if let lag { lags.append(max(lag, 0)) }
                let submission = OutboxSubmission(
                    id: id, org: org, sender: sender, toNumber: to, body: body, kind: kind, sendAt: sendAt, expiresAt: expiresAt,
                    externalRef: externalRef, idempotencyKey: key, template: template, variables: variables
                )
                if let group {
                    switch try await PostgresBroadcasts.accept(submission, group: group, directory: directory, rules: rules, now: now, in: session) {
                    case .success: broadcasts.append(id)
                    case let .failure(reason): try await intake.take(submission, refusal: reason)
                    }
                    continue
                }
                try await intake.take(submission)
            }
            try await session.execute("DELETE FROM outbox WHERE id = ANY(\(taken))")
            var report = intake.report
            report.broadcasts = broadcasts
            report.outboxLags = lags
            return report
        }
    }

    public func outboxHasRows() async throws -> Bool {
        try await read { session in try await session.value("SELECT EXISTS (SELECT 1 FROM outbox)", as: Bool.self) ?? false }
    }

    /// Queues a text exactly as a producer would, through the public `outbox` table.
    public func insertOutbox(org: String, sender: String, to: String, body: String, kind: String) async throws -> Int64 {
        try await write { session in
            try await session.value("""
                INSERT INTO outbox (org, sender, to_number, body, kind) VALUES (\(org), \(sender), \(to), \(body), \(kind)) RETURNING id
                """, as: Int64.self) ?? 0
        }
    }

    public func isInOutbox(_ id: Int64) async throws -> Bool {
        try await read { session in try await session.value("SELECT EXISTS (SELECT 1 FROM outbox WHERE id = \(id))", as: Bool.self) ?? false }
    }
}
