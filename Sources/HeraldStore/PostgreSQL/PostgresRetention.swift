import Foundation
import HeraldCore
import PostgresNIO

/// Retention (docs/data-safety.md), as BodyRetention.swift does it for SQLite: bodies go, what
/// happened to them stays. Short transactions, `limit` rows each.
extension PostgresQueue: RetentionStore {
    public func purgeMessageBodies(finalBefore cutoff: Date, now: Date, limit: Int) async throws -> Int {
        try await write { session in try await PostgresTransitions(session, now: now).purgeBodies(finalBefore: cutoff, limit: limit) }
    }

    public func purgeInboundBodies(receivedBefore cutoff: Date, now: Date, limit: Int) async throws -> Int {
        try await write { session in
            try await session.changes("""
                UPDATE inbound_message SET body = '', body_purged_at = \(now.millis)
                WHERE id IN (SELECT id FROM inbound_message WHERE body_purged_at IS NULL AND received_at < \(cutoff.millis)
                             ORDER BY received_at LIMIT \(limit))
                RETURNING 1
                """)
        }
    }
}

extension PostgresQueue {
    /// Journeys still waiting for an opt-in when their `expires_at` passes become `expired`.
    public func expireAwaitingConsent(now: Date, limit: Int = 500) async throws -> [(id: Int64, org: String)] {
        let expired = try await write { session in
            let at = now.millis
            let rows = try await session.rows("""
                SELECT id, org_id FROM message WHERE state = 'awaiting_consent' AND expires_at <= \(at) ORDER BY id LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
                """).map { try $0.decode((Int64, String).self) }
            let transitions = PostgresTransitions(session, at: at)
            for (id, _) in rows {
                try await transitions.end(id, from: .awaitingConsent, to: .expired, reason: .expired,
                                          detail: "expires_at passed while waiting for the recipient to opt in")
            }
            return rows.map { Expired(id: $0.0, org: $0.1) }
        }
        return expired.map { (id: $0.id, org: $0.org) }
    }

    private struct Expired: Sendable {
        var id: Int64
        var org: String
    }
}
