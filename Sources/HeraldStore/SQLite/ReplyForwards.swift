import Foundation
import GRDB
import HeraldCore

/// The durable queue of replies to mail to their users (`reply_forward`). A row is written in
/// the transaction that stores the reply, so a crash never loses a forward; the service only
/// moves rows from `pending` to `sent` or `failed`. Rows keep ids and addresses, not bodies: the
/// mail is rendered from the stored reply when it is sent.
extension QueueDatabase {
    /// Queues the reply for the user whose number it was sent to, if that user asked for
    /// forwarding and has an address. Called inside `receive`'s transaction.
    static func enqueueForward(inboundID: Int64, org: String, to number: String, at: Int64, in db: Database) throws -> Int64? {
        guard let user = try Row.fetchOne(db, sql: """
            SELECT u.id, u.email FROM phone_number p JOIN user u ON u.org_id = p.org_id AND u.id = p.user_id
            WHERE p.e164 = ? AND p.org_id = ? AND p.status = 'active' AND u.forward_replies = 1
              AND u.email IS NOT NULL AND u.email != ''
            """, arguments: [number, org]) else { return nil }
        try db.execute(sql: """
            INSERT INTO reply_forward (inbound_id, org_id, user_id, to_address, next_attempt_at, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [inboundID, org, user["id"] as String, user["email"] as String, at, at, at])
        return db.lastInsertedRowID
    }

    /// Pending forwards due at `now`, oldest due first, with what their mails say.
    public func dueForwards(now: Date, limit: Int) async throws -> [ReplyForward] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT f.id, f.inbound_id, f.org_id, f.user_id, f.to_address, f.attempts,
                    o.name AS org_name, o.timezone, COALESCE(u.name, f.user_id) AS user_name,
                    i.to_number, i.from_number, i.body, i.received_at, i.keyword,
                    NULLIF(TRIM(COALESCE(c.first_name, '') || ' ' || COALESCE(c.last_name, '')), '') AS contact_name
                FROM reply_forward f
                JOIN inbound_message i ON i.id = f.inbound_id
                LEFT JOIN org o ON o.id = f.org_id
                LEFT JOIN user u ON u.org_id = f.org_id AND u.id = f.user_id
                LEFT JOIN contact_number n ON n.org_id = f.org_id AND n.number = i.from_number
                LEFT JOIN contact c ON c.id = n.contact_id
                WHERE f.state = 'pending' AND f.next_attempt_at <= ?
                ORDER BY f.next_attempt_at, f.id
                LIMIT ?
                """, arguments: [now.millis, limit]).map { row in
                ReplyForward(
                    id: row["id"], inboundID: row["inbound_id"], orgID: row["org_id"],
                    orgName: row["org_name"] ?? row["org_id"], timeZone: row["timezone"] ?? "America/Chicago",
                    userID: row["user_id"], userName: row["user_name"], userNumber: row["to_number"],
                    toAddress: row["to_address"], contactNumber: row["from_number"], contactName: row["contact_name"],
                    text: row["body"], receivedAt: Date(millis: row["received_at"]),
                    keyword: (row["keyword"] as String?).flatMap(ReplyKeyword.init(rawValue:)), attempts: row["attempts"]
                )
            }
        }
    }

    /// When the earliest pending forward is due; nil when none is pending.
    public func nextForwardDue() async throws -> Date? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM reply_forward WHERE state = 'pending'")
                .map(Date.init(millis:))
        }
    }

    public func forwardSent(_ id: Int64, attempts: Int, now: Date) async throws {
        try await timedWrite { db in
            try db.execute(sql: """
                UPDATE reply_forward SET state = 'sent', attempts = ?, last_error = NULL, sent_at = ?, updated_at = ?
                WHERE id = ? AND state = 'pending'
                """, arguments: [attempts, now.millis, now.millis, id])
        }
    }

    /// Another try at `retryAt`, keeping what went wrong for `heraldctl` and the view.
    public func forwardRetry(_ id: Int64, attempts: Int, error: String, retryAt: Date, now: Date) async throws {
        try await timedWrite { db in
            try db.execute(sql: """
                UPDATE reply_forward SET attempts = ?, last_error = ?, next_attempt_at = ?, updated_at = ?
                WHERE id = ? AND state = 'pending'
                """, arguments: [attempts, error, retryAt.millis, now.millis, id])
        }
    }

    public func forwardFailed(_ id: Int64, attempts: Int, error: String, now: Date) async throws {
        try await timedWrite { db in
            try db.execute(sql: """
                UPDATE reply_forward SET state = 'failed', attempts = ?, last_error = ?, updated_at = ?
                WHERE id = ? AND state = 'pending'
                """, arguments: [attempts, error, now.millis, id])
        }
    }

    /// `org/user` of every user who asked for replies by email, for the warning when forwarding is off.
    public func usersForwardingReplies() async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT org_id || '/' || id FROM user WHERE forward_replies = 1 ORDER BY org_id, id")
        }
    }
}
