import Foundation
import GRDB

/// What the database says about a finished run, read after the clock stopped. The event log's
/// commit instants (`message_event.at`, Unix milliseconds) show how the work was batched and how
/// the phases overlapped, without instrumenting the daemon. Only the timed run's messages count:
/// those with ids above `after`, the last id of a reconcile backlog written before it.
struct RunRecord {
    var states: [String: Int]
    /// Events per `to_state`.
    var events: [String: Int]
    /// Distinct commit instants per `to_state`: a close lower bound on the number of
    /// transactions (two commits within one millisecond count once).
    var commits: [String: Int]
    /// When the last outbox row was ingested, from the daemon's start.
    var ingestDone: Duration
    /// Messages already `sent` when ingest finished.
    var sentDuringIngest: Int
    /// When the last message became `sent`, from the daemon's start.
    var lastSent: Duration

    static func read(_ producer: DatabaseQueue, startMillis: Int64, after: Int64) async throws -> RunRecord {
        try await producer.read { db in
            let grouped = { (sql: String) -> [String: Int] in
                Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: sql, arguments: [after]).map { ($0[0] as String, $0[1] as Int) })
            }
            let ingestDone = try Int64.fetchOne(db, sql: "SELECT MAX(at) FROM message_event WHERE to_state = 'queued' AND message_id > ?",
                                                arguments: [after]) ?? startMillis
            let lastSent = try Int64.fetchOne(db, sql: "SELECT MAX(at) FROM message_event WHERE to_state = 'sent' AND message_id > ?",
                                              arguments: [after]) ?? startMillis
            return RunRecord(
                states: try grouped("SELECT state, COUNT(*) FROM message WHERE id > ? GROUP BY state"),
                events: try grouped("SELECT to_state, COUNT(*) FROM message_event WHERE message_id > ? GROUP BY to_state"),
                commits: try grouped("SELECT to_state, COUNT(DISTINCT at) FROM message_event WHERE message_id > ? GROUP BY to_state"),
                ingestDone: .milliseconds(ingestDone - startMillis),
                sentDuringIngest: try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM message_event WHERE to_state = 'sent' AND at <= ? AND message_id > ?
                    """, arguments: [ingestDone, after]) ?? 0,
                lastSent: .milliseconds(lastSent - startMillis)
            )
        }
    }
}
