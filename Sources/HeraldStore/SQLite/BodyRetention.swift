import Foundation
import GRDB
import HeraldCore

/// Retention (SPEC §11): the texts people wrote are kept only as long as the operator allows;
/// what happened to them (rows, events, usage) is kept. A purged body becomes '' with
/// `body_purged_at` set, so it is never mistaken for a text that was empty, and the NOT NULL
/// body of `inbound_message` needs no table rebuild. `usage` is never touched, and the outbox
/// holds no body to purge: ingest deletes every row it takes.
enum BodyRetention {
    static let migration = """
    ALTER TABLE message ADD COLUMN body_purged_at INTEGER;
    ALTER TABLE inbound_message ADD COLUMN body_purged_at INTEGER;
    -- A row leaves these indexes once purged: each holds only what retention still has to do, so
    -- an hourly pass costs what it purges, not what the queue has kept.
    CREATE INDEX message_retention ON message(final_at) WHERE final_at IS NOT NULL AND body_purged_at IS NULL;
    CREATE INDEX inbound_retention ON inbound_message(received_at) WHERE body_purged_at IS NULL;

    DROP VIEW messages;
    CREATE VIEW messages AS
    SELECT id, org_id AS org, user_id AS sender, from_number, to_number, body, kind, state,
        CASE state
            WHEN 'queued' THEN 'in queue' WHEN 'scheduled' THEN 'in queue'
            WHEN 'awaiting_consent' THEN 'in queue' WHEN 'sending' THEN 'in queue'
            WHEN 'sent' THEN 'sent' WHEN 'delivered' THEN 'delivered'
            WHEN 'undelivered' THEN 'undeliverable' ELSE 'failed' END AS display_status,
        held_reason, reason, detail,
        strftime('%Y-%m-%dT%H:%M:%fZ', not_before / 1000.0, 'unixepoch') AS not_before,
        strftime('%Y-%m-%dT%H:%M:%fZ', expires_at / 1000.0, 'unixepoch') AS expires_at,
        segments, encoding, carrier_sid, carrier_status, error_code, attempts,
        idempotency_key, external_ref,
        strftime('%Y-%m-%dT%H:%M:%fZ', created_at / 1000.0, 'unixepoch') AS created_at,
        strftime('%Y-%m-%dT%H:%M:%fZ', updated_at / 1000.0, 'unixepoch') AS updated_at,
        strftime('%Y-%m-%dT%H:%M:%fZ', body_purged_at / 1000.0, 'unixepoch') AS body_purged_at
    FROM message;

    DROP VIEW inbound_messages;
    CREATE VIEW inbound_messages AS
    SELECT id, org_id AS org, from_number, to_number, body,
        strftime('%Y-%m-%dT%H:%M:%fZ', received_at / 1000.0, 'unixepoch') AS received_at,
        carrier_sid, keyword, action,
        strftime('%Y-%m-%dT%H:%M:%fZ', body_purged_at / 1000.0, 'unixepoch') AS body_purged_at
    FROM inbound_message;
    """

    /// ?1 now and ?2 the cutoff, in Unix milliseconds; ?3 the most rows one transaction may purge.
    static let purgeInbound = """
        UPDATE inbound_message SET body = '', body_purged_at = ?1
        WHERE id IN (SELECT id FROM inbound_message
                     WHERE body_purged_at IS NULL AND received_at < ?2
                     ORDER BY received_at LIMIT ?3)
        """
}

extension QueueDatabase {
    /// Empties the bodies of at most `limit` messages that reached a final state before `cutoff`,
    /// oldest first, in one short write transaction; returns how many. Call again while it
    /// returns `limit`: the one writer is shared with dispatch and must not be held for long.
    public func purgeMessageBodies(finalBefore cutoff: Date, now: Date, limit: Int) async throws -> Int {
        try await pool.write { db in
            try MessageTransitions(db, now: now).purgeBodies(finalBefore: cutoff, limit: limit)
        }
    }

    /// The same for replies, by the time they were received: a reply has no later state.
    public func purgeInboundBodies(receivedBefore cutoff: Date, now: Date, limit: Int) async throws -> Int {
        try await pool.write { db in
            try db.cachedStatement(sql: BodyRetention.purgeInbound).execute(arguments: [now.millis, cutoff.millis, limit])
            return db.changesCount
        }
    }
}
