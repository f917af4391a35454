/// Retention (docs/data-safety.md): when bodies were purged, and the indexes of what is left to purge;
/// `BodyRetention` says why a purged body is '' rather than NULL.
extension SQLiteMigrations {
    static let v2BodyRetention = """
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
}
