import Foundation
import GRDB

/// Reads the queue read-only through the producer contract (the outbox and the public views
/// `messages` and `message_events`), as an application watching its texts would. Each poll is an
/// indexed lookup, so watching costs heraldd next to nothing.
final class QueueObserver {
    private let queue: DatabaseQueue

    init(databasePath: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        queue = try DatabaseQueue(path: databasePath, configuration: configuration)
    }

    func close() throws { try queue.close() }

    /// The views give instants as ISO 8601 text with milliseconds; as Unix milliseconds here.
    private static func millis(_ column: String) -> String {
        "CAST(ROUND((julianday(\(column)) - 2440587.5) * 86400000.0) AS INTEGER)"
    }

    func outboxRows() throws -> Int {
        try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM outbox") ?? 0 }
    }

    func outboxEmpty() throws -> Bool {
        try queue.read { try !(Bool.fetchOne($0, sql: "SELECT EXISTS (SELECT 1 FROM outbox)") ?? true) }
    }

    /// The lowest id of `from...last` still in the outbox or not yet past `sending`, or nil when
    /// all are done. Texts never go back once `sent`, so the caller passes the last answer as the
    /// next `from`: each poll reads only the rows that finished since the one before. Scanning
    /// the whole range on every poll cost as much CPU as a fifth of heraldd's, on the same cores.
    func firstPending(from: Int64, through last: Int64) throws -> Int64? {
        try queue.read { db in
            let outbox = try Int64.fetchOne(db, sql: "SELECT id FROM outbox WHERE id BETWEEN ? AND ? ORDER BY id LIMIT 1",
                                            arguments: [from, last])
            let message = try Int64.fetchOne(db, sql: """
                SELECT id FROM messages WHERE id BETWEEN ? AND ? AND state IN ('queued', 'scheduled', 'sending') ORDER BY id LIMIT 1
                """, arguments: [from, last])
            return [outbox, message].compactMap { $0 }.min()
        }
    }

    func states(_ first: Int64, _ last: Int64) throws -> [String: Int] {
        try queue.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM messages WHERE id BETWEEN ? AND ? GROUP BY state",
                                        arguments: [first, last]) {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }

    /// heraldd's own instants for a range of texts: its first claim (`sending` event) and its
    /// last recorded `sent`, in Unix milliseconds.
    func claimToSent(_ first: Int64, _ last: Int64) throws -> (firstClaim: Int64, lastSent: Int64) {
        try queue.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT \(Self.millis("MIN(CASE WHEN to_state = 'sending' THEN at END)")),
                       \(Self.millis("MAX(CASE WHEN to_state = 'sent' THEN at END)"))
                FROM message_events WHERE message_id BETWEEN ? AND ?
                """, arguments: [first, last])
            guard let row, let claim = row[0] as Int64?, let sent = row[1] as Int64? else {
                throw BenchFailure("no sending or sent events for messages \(first)...\(last)")
            }
            return (claim, sent)
        }
    }

    /// Distinct instants heraldd stamped on `to_state` events of a range: a close lower bound on
    /// its transactions (two commits in one millisecond count once), so texts per commit.
    func commits(_ first: Int64, _ last: Int64, toState: String) throws -> Int {
        try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT at) FROM message_events WHERE message_id BETWEEN ? AND ? AND to_state = ?",
                             arguments: [first, last, toState]) ?? 0
        }
    }

    func state(of id: Int64) throws -> String? {
        try queue.read { try String.fetchOne($0, sql: "SELECT state FROM messages WHERE id = ?", arguments: [id]) }
    }

    /// When heraldd ingested the text (its first event), claimed it (`sending`) and recorded it
    /// `sent`, in Unix milliseconds: where a text's idle latency goes.
    func stages(_ id: Int64) throws -> (ingested: Int64, claimed: Int64, sent: Int64)? {
        try queue.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT \(Self.millis("MIN(at)")),
                       \(Self.millis("MIN(CASE WHEN to_state = 'sending' THEN at END)")),
                       \(Self.millis("MIN(CASE WHEN to_state = 'sent' THEN at END)"))
                FROM message_events WHERE message_id = ?
                """, arguments: [id])
            guard let row, let ingested = row[0] as Int64?, let claimed = row[1] as Int64?, let sent = row[2] as Int64? else { return nil }
            return (ingested, claimed, sent)
        }
    }
}
