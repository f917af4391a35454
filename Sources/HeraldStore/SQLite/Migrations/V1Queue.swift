extension SQLiteMigrations {
    static let v1Queue = """
    -- Organizations and their senders. Rows come from the configuration (and later heraldctl).
    CREATE TABLE org (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        timezone TEXT NOT NULL DEFAULT 'America/Chicago',
        window_start TEXT NOT NULL DEFAULT '08:00',
        window_end TEXT NOT NULL DEFAULT '16:00',
        window_days TEXT,
        paused INTEGER NOT NULL DEFAULT 0,
        smart_encoding INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE user (
        org_id TEXT NOT NULL REFERENCES org(id),
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        cell_phone TEXT,
        email TEXT,
        signature TEXT,
        paused INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (org_id, id)
    );
    CREATE TABLE phone_number (
        id INTEGER PRIMARY KEY,
        e164 TEXT NOT NULL,
        carrier_sid TEXT,
        org_id TEXT NOT NULL REFERENCES org(id),
        user_id TEXT,
        number_type TEXT NOT NULL DEFAULT 'long_code',
        rate REAL,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'released')),
        provisioned_at INTEGER NOT NULL,
        released_at INTEGER
    );
    CREATE UNIQUE INDEX phone_number_active ON phone_number(e164) WHERE status = 'active';
    CREATE UNIQUE INDEX phone_number_user ON phone_number(org_id, user_id) WHERE status = 'active';

    -- The public contract: producers INSERT here and nowhere else. Columns are loosely typed on
    -- purpose: the ingester checks every value and rejects a bad row with a reason instead of
    -- the producer's INSERT failing halfway through a batch. Ingested rows are deleted; the
    -- message keeps the outbox id (AUTOINCREMENT: ids are never reused).
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        org TEXT,
        sender TEXT,
        to_number TEXT,
        body TEXT,
        kind TEXT,
        send_at TEXT,
        expires_at TEXT,
        external_ref TEXT,
        idempotency_key TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );

    CREATE TABLE message (
        id INTEGER PRIMARY KEY,
        org_id TEXT,
        user_id TEXT,
        from_number TEXT,
        to_number TEXT,
        body TEXT,
        kind TEXT,
        priority INTEGER NOT NULL,
        state TEXT NOT NULL,
        held_reason TEXT,
        reason TEXT,
        detail TEXT,
        not_before INTEGER NOT NULL,
        expires_at INTEGER,
        segments INTEGER,
        encoding TEXT,
        carrier_sid TEXT,
        carrier_status TEXT,
        carrier_segments INTEGER,
        error_code INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        idempotency_key TEXT,
        carrier_key TEXT NOT NULL,
        external_ref TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        sent_at INTEGER,
        final_at INTEGER
    );
    -- Claims walk this index one priority at a time, from the oldest due entry: the cost of a
    -- claim depends on what is due, not on how much is deferred for later.
    CREATE INDEX message_due ON message(priority, not_before) WHERE state IN ('queued', 'scheduled');
    -- Only the states operators and reconciliation look up; final rows leave it for good.
    CREATE INDEX message_state ON message(state) WHERE state IN ('queued', 'scheduled', 'awaiting_consent', 'sending', 'sent');
    CREATE INDEX message_sid ON message(carrier_sid) WHERE carrier_sid IS NOT NULL;
    CREATE UNIQUE INDEX message_idempotency ON message(org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
    CREATE INDEX message_to ON message(to_number);

    CREATE TABLE message_event (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL,
        at INTEGER NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        reason TEXT,
        detail TEXT,
        http_status INTEGER,
        error_code INTEGER,
        carrier_status TEXT
    );
    CREATE INDEX message_event_message ON message_event(message_id, id);

    CREATE TABLE inbound_message (
        id INTEGER PRIMARY KEY,
        org_id TEXT,
        from_number TEXT NOT NULL,
        to_number TEXT NOT NULL,
        body TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        carrier_sid TEXT,
        keyword TEXT,
        action TEXT
    );
    -- Carriers redeliver webhooks; one reply is stored once.
    CREATE UNIQUE INDEX inbound_sid ON inbound_message(carrier_sid) WHERE carrier_sid IS NOT NULL;

    -- Segments per org and user per calendar month in the org's timezone; outlives purged bodies.
    CREATE TABLE usage (
        org_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        month TEXT NOT NULL,
        messages INTEGER NOT NULL DEFAULT 0,
        segments INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (org_id, user_id, month)
    ) WITHOUT ROWID;

    -- Read-only views for producers: the stable half of the SQL contract.
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
        strftime('%Y-%m-%dT%H:%M:%fZ', updated_at / 1000.0, 'unixepoch') AS updated_at
    FROM message;

    CREATE VIEW message_events AS
    SELECT id, message_id,
        strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch') AS at,
        from_state, to_state, reason, detail, http_status, error_code, carrier_status
    FROM message_event;

    CREATE VIEW inbound_messages AS
    SELECT id, org_id AS org, from_number, to_number, body,
        strftime('%Y-%m-%dT%H:%M:%fZ', received_at / 1000.0, 'unixepoch') AS received_at,
        carrier_sid, keyword, action
    FROM inbound_message;
    """
}
