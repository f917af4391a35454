/// Contact groups and broadcasts (docs/states.md#message-kinds, kind `bulk`). A producer addresses a group by writing
/// an outbox row with `to_group` instead of `to_number`; ingest turns it into a `broadcast` keyed
/// by the outbox id, and the fan-out turns the group's members, a batch per transaction, into one
/// message each. The cursor is the last member's contact id, committed with the messages it
/// produced, so a crash resumes the fan-out exactly where the last commit left it.
extension SQLiteMigrations {
    static let v8Broadcast = """
    CREATE TABLE contact_group (
        id INTEGER PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES org(id),
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX contact_group_name ON contact_group(org_id, name);
    -- Keyset pagination walks (group_id, contact_id): the fan-out never holds a whole group.
    CREATE TABLE contact_group_member (
        group_id INTEGER NOT NULL REFERENCES contact_group(id),
        contact_id INTEGER NOT NULL REFERENCES contact(id),
        added_at INTEGER NOT NULL,
        PRIMARY KEY (group_id, contact_id)
    ) WITHOUT ROWID;
    CREATE INDEX contact_group_member_contact ON contact_group_member(contact_id);

    -- Public contract: a row with to_group (a group name of the row's org) and no to_number
    -- addresses every member of that group.
    ALTER TABLE outbox ADD COLUMN to_group TEXT;

    CREATE TABLE broadcast (
        id INTEGER PRIMARY KEY,
        org_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        group_id INTEGER NOT NULL,
        group_name TEXT NOT NULL,
        -- NULL when the row named a template: each member's text is rendered from it.
        body TEXT,
        template TEXT,
        variables TEXT,
        kind TEXT NOT NULL,
        send_at TEXT,
        expires_at TEXT,
        external_ref TEXT,
        idempotency_key TEXT,
        state TEXT NOT NULL CHECK (state IN ('fanning_out', 'done')),
        cursor INTEGER NOT NULL DEFAULT 0,
        members INTEGER NOT NULL DEFAULT 0,
        accepted INTEGER NOT NULL DEFAULT 0,
        rejected INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER
    );
    CREATE INDEX broadcast_open ON broadcast(id) WHERE state = 'fanning_out';
    CREATE UNIQUE INDEX broadcast_idempotency ON broadcast(org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

    ALTER TABLE message ADD COLUMN broadcast_id INTEGER;
    CREATE INDEX message_broadcast ON message(broadcast_id, id) WHERE broadcast_id IS NOT NULL;

    CREATE VIEW broadcasts AS
    SELECT id, org_id AS org, sender, group_name, body, template, variables, kind, send_at, expires_at, external_ref, idempotency_key,
        state, members, accepted, rejected,
        strftime('%Y-%m-%dT%H:%M:%fZ', created_at / 1000.0, 'unixepoch') AS created_at,
        strftime('%Y-%m-%dT%H:%M:%fZ', updated_at / 1000.0, 'unixepoch') AS updated_at,
        strftime('%Y-%m-%dT%H:%M:%fZ', finished_at / 1000.0, 'unixepoch') AS finished_at
    FROM broadcast;

    CREATE VIEW contact_groups AS
    SELECT g.id, g.org_id AS org, g.name,
        (SELECT COUNT(*) FROM contact_group_member m WHERE m.group_id = g.id) AS members,
        strftime('%Y-%m-%dT%H:%M:%fZ', g.created_at / 1000.0, 'unixepoch') AS created_at
    FROM contact_group g;

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
        strftime('%Y-%m-%dT%H:%M:%fZ', body_purged_at / 1000.0, 'unixepoch') AS body_purged_at,
        broadcast_id
    FROM message;
    """
}
