import Foundation
import GRDB

/// Texts an earlier run left `sent` and waiting for a lookup (docs/carrier.md, "Reconciliation"),
/// written before the daemon starts, with the columns and three events the dispatcher writes
/// when the carrier takes a post: in `message_reconcile` until a lookup moves them on.
///
/// They were sent `sentAgo` before the run and are due `[reconcile] after` past that, as
/// heraldd schedules them. At start heraldd pulls every such text into its first minute (a
/// restarted daemon cannot know which callbacks it missed), so the backlog falls due during the
/// timed run and the reconcile service looks it up at its configured rate beside the sends.
enum ReconcileBacklog {
    static let sentAgo: TimeInterval = 120
    static let batchSize = 1000

    struct Filled {
        /// The backlog holds ids 1...lastID; the outbox's rows come after, from the same sequence.
        var lastID: Int64
        var time: Duration
    }

    static func fill(_ producer: DatabaseQueue, count: Int, senders: Int, reconcileAfter: TimeInterval, now: Date) throws -> Filled {
        let started = ContinuousClock.now
        let sentAt = Int64(((now.timeIntervalSince1970 - sentAgo) * 1000).rounded())
        let createdAt = sentAt - 1000
        let reconcileAt = sentAt + Int64(reconcileAfter * 1000)
        let lastID = try producer.write { db in try reserveIDs(count, db) }
        var next: Int64 = 1
        while next <= lastID {
            let end = min(next + Int64(batchSize) - 1, lastID)
            try producer.write { db in
                let message = try db.cachedStatement(sql: """
                    INSERT INTO message (id, org_id, user_id, from_number, to_number, body, kind, priority, state, not_before,
                        segments, encoding, carrier_sid, carrier_status, carrier_segments, attempts, carrier_key, created_at,
                        updated_at, sent_at, credits_charged, reconcile_at)
                    VALUES (?, ?, ?, ?, ?, ?, 'conversational', 1, 'sent', ?, 1, 'GSM-7', ?, 'queued', 1, 1, ?, ?, ?, ?, 0, ?)
                    """)
                let event = try db.cachedStatement(sql: """
                    INSERT INTO message_event (message_id, at, from_state, to_state, http_status, carrier_status) VALUES (?, ?, ?, ?, ?, ?)
                    """)
                for id in next...end {
                    let index = Int(id - 1)
                    try message.execute(arguments: [
                        id, BenchSettings.org, BenchSettings.senderID(index % senders), BenchSettings.senderNumber(index % senders),
                        BenchSettings.recipient(index), BenchSettings.body(index), createdAt,
                        sid(id), "hm-backlog-\(id)", createdAt, sentAt, sentAt, reconcileAt,
                    ])
                    try event.execute(arguments: [id, createdAt, nil, "queued", nil, nil])
                    try event.execute(arguments: [id, sentAt, "queued", "sending", nil, nil])
                    try event.execute(arguments: [id, sentAt, "sending", "sent", 201, "queued"])
                }
            }
            next = end + 1
        }
        return Filled(lastID: lastID, time: started.duration(to: .now))
    }

    /// Message ids are outbox ids (the store's MessageIDs): taking the backlog's from the outbox
    /// sequence keeps the producer's rows from colliding with them.
    private static func reserveIDs(_ count: Int, _ db: Database) throws -> Int64 {
        let used = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM message") ?? 0
        guard used == 0, try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'") == nil else {
            throw BenchError.backlogNeedsEmptyQueue
        }
        try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)", arguments: [count])
        return Int64(count)
    }

    /// Unique, Twilio-shaped: a status callback or lookup finds exactly one text by it.
    private static func sid(_ id: Int64) -> String { "SM" + String(format: "%032llx", id) }
}
