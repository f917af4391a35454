extension PostgresMigrations {
    /// The public views, column for column and value for value those of SQLite (docs/producers.md):
    /// instants as ISO 8601 in UTC with milliseconds and a `Z`, `NULL` stays `NULL`.
    static let p2Views = """
    CREATE FUNCTION herald_iso(millis BIGINT) RETURNS TEXT LANGUAGE sql IMMUTABLE STRICT AS $$
        SELECT to_char(to_timestamp(millis / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    $$;

    CREATE VIEW messages AS
    SELECT id, org_id AS org, user_id AS sender, from_number, to_number, body, kind, state,
        CASE state
            WHEN 'queued' THEN 'in queue' WHEN 'scheduled' THEN 'in queue'
            WHEN 'awaiting_consent' THEN 'in queue' WHEN 'sending' THEN 'in queue'
            WHEN 'sent' THEN 'sent' WHEN 'delivered' THEN 'delivered'
            WHEN 'undelivered' THEN 'undeliverable' ELSE 'failed' END AS display_status,
        held_reason, reason, detail,
        herald_iso(not_before) AS not_before,
        herald_iso(expires_at) AS expires_at,
        segments, encoding, carrier_sid, carrier_status, error_code, attempts,
        idempotency_key, external_ref,
        herald_iso(created_at) AS created_at,
        herald_iso(updated_at) AS updated_at,
        herald_iso(body_purged_at) AS body_purged_at,
        broadcast_id
    FROM message;

    CREATE VIEW message_events AS
    SELECT id, message_id, herald_iso(at) AS at,
        from_state, to_state, reason, detail, http_status, error_code, carrier_status
    FROM message_event;

    CREATE VIEW inbound_messages AS
    SELECT id, org_id AS org, from_number, to_number, body, herald_iso(received_at) AS received_at,
        carrier_sid, keyword, action, herald_iso(body_purged_at) AS body_purged_at
    FROM inbound_message;

    CREATE VIEW message_parts AS
    SELECT message_id, part, carrier_sid, carrier_status, error_code, herald_iso(updated_at) AS updated_at
    FROM message_part;

    CREATE VIEW consents AS
    SELECT org_id AS org, number, state, herald_iso(updated_at) AS updated_at
    FROM consent;

    CREATE VIEW consent_history AS
    SELECT id, org_id AS org, number, herald_iso(at) AS at,
        old_state, new_state, consent_type, changed_by, source_message_id, source_inbound_id, wording, note
    FROM consent_ledger;

    CREATE VIEW contacts AS
    SELECT c.id, c.org_id AS org, c.external_id, c.first_name, c.last_name, c.email, c.owner_user_id AS owner,
        n.number, n.label, n.preferred_sms
    FROM contact c JOIN contact_number n ON n.contact_id = c.id;

    CREATE VIEW admin_changes AS
    SELECT id, herald_iso(at) AS at, actor, command, org_id AS org, target, detail
    FROM admin_change;

    CREATE VIEW credit_allocations AS
    SELECT id, org_id AS org, user_id AS user, herald_iso(at) AS at, segments, balance, changed_by, note
    FROM credit_allocation;

    CREATE VIEW broadcasts AS
    SELECT id, org_id AS org, sender, group_name, body, template, variables, kind, send_at, expires_at, external_ref, idempotency_key,
        state, members, accepted, rejected,
        herald_iso(created_at) AS created_at, herald_iso(updated_at) AS updated_at, herald_iso(finished_at) AS finished_at
    FROM broadcast;

    CREATE VIEW contact_groups AS
    SELECT g.id, g.org_id AS org, g.name,
        (SELECT COUNT(*) FROM contact_group_member m WHERE m.group_id = g.id) AS members,
        herald_iso(g.created_at) AS created_at
    FROM contact_group g;

    CREATE VIEW reply_forwards AS
    SELECT id, inbound_id, org_id AS org, user_id AS user, to_address, state, attempts,
        herald_iso(next_attempt_at) AS next_attempt_at, last_error,
        herald_iso(created_at) AS created_at, herald_iso(sent_at) AS sent_at
    FROM reply_forward;
    """
}
