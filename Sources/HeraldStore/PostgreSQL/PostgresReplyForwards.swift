import Foundation
import HeraldCore
import PostgresNIO

/// The durable queue of replies to mail to their users (SQLite's ReplyForwards.swift): a row is
/// written in the transaction that stores the reply; the service moves it to `sent` or `failed`.
extension PostgresQueue: ReplyForwardQueue {
    static func enqueueForward(inboundID: Int64, org: String, to number: String, at: Int64, in session: PostgresSession) async throws -> Int64? {
        guard let user = try await session.rows("""
            SELECT u.id, u.email FROM phone_number p JOIN org_user u ON u.org_id = p.org_id AND u.id = p.user_id
            WHERE p.e164 = \(number) AND p.org_id = \(org) AND p.status = 'active' AND u.forward_replies
              AND u.email IS NOT NULL AND u.email != ''
            """).first else { return nil }
        let (userID, email) = try user.decode((String, String).self)
        return try await session.value("""
            INSERT INTO reply_forward (inbound_id, org_id, user_id, to_address, next_attempt_at, created_at, updated_at)
            VALUES (\(inboundID), \(org), \(userID), \(email), \(at), \(at), \(at)) RETURNING id
            """, as: Int64.self)
    }

    public func dueForwards(now: Date, limit: Int) async throws -> [ReplyForward] {
        try await read { session in
            try await session.rows("""
                SELECT f.id, f.inbound_id, f.org_id, f.user_id, f.to_address, f.attempts,
                    COALESCE(o.name, f.org_id), COALESCE(o.timezone, 'America/Chicago'), COALESCE(u.name, f.user_id),
                    i.to_number, i.from_number, i.body, i.received_at, i.keyword,
                    NULLIF(TRIM(COALESCE(c.first_name, '') || ' ' || COALESCE(c.last_name, '')), '')
                FROM reply_forward f
                JOIN inbound_message i ON i.id = f.inbound_id
                LEFT JOIN org o ON o.id = f.org_id
                LEFT JOIN org_user u ON u.org_id = f.org_id AND u.id = f.user_id
                LEFT JOIN contact_number n ON n.org_id = f.org_id AND n.number = i.from_number
                LEFT JOIN contact c ON c.id = n.contact_id
                WHERE f.state = 'pending' AND f.next_attempt_at <= \(now.millis)
                ORDER BY f.next_attempt_at, f.id
                LIMIT \(limit)
                """).map { row in
                let (id, inbound, org, user, address, attempts, orgName, zone, userName, userNumber, contact, text, received, keyword, contactName) =
                    try row.decode((Int64, Int64, String, String, String, Int, String, String, String, String, String, String, Int64, String?, String?).self)
                return ReplyForward(
                    id: id, inboundID: inbound, orgID: org, orgName: orgName, timeZone: zone, userID: user, userName: userName,
                    userNumber: userNumber, toAddress: address, contactNumber: contact, contactName: contactName, text: text,
                    receivedAt: Date(millis: received), keyword: keyword.flatMap(ReplyKeyword.init(rawValue:)), attempts: attempts
                )
            }
        }
    }

    public func nextForwardDue() async throws -> Date? {
        try await read { session in
            try await session.value("SELECT MIN(next_attempt_at) FROM reply_forward WHERE state = 'pending'", as: Int64.self)
                .map(Date.init(millis:))
        }
    }

    public func forwardSent(_ id: Int64, attempts: Int, now: Date) async throws {
        try await write { session in
            try await session.execute("""
                UPDATE reply_forward SET state = 'sent', attempts = \(attempts), last_error = NULL, sent_at = \(now.millis), updated_at = \(now.millis)
                WHERE id = \(id) AND state = 'pending'
                """)
        }
    }

    public func forwardRetry(_ id: Int64, attempts: Int, error: String, retryAt: Date, now: Date) async throws {
        try await write { session in
            try await session.execute("""
                UPDATE reply_forward SET attempts = \(attempts), last_error = \(error), next_attempt_at = \(retryAt.millis), updated_at = \(now.millis)
                WHERE id = \(id) AND state = 'pending'
                """)
        }
    }

    public func forwardFailed(_ id: Int64, attempts: Int, error: String, now: Date) async throws {
        try await write { session in
            try await session.execute("""
                UPDATE reply_forward SET state = 'failed', attempts = \(attempts), last_error = \(error), updated_at = \(now.millis)
                WHERE id = \(id) AND state = 'pending'
                """)
        }
    }
}
