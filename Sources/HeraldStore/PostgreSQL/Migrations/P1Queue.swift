extension PostgresMigrations {
    /// The tables and indexes: SQLite's v1 to v10 in one step. `user` is a reserved word in
    /// PostgreSQL, so users live in `org_user`; nothing outside the store names internal tables.
    static let p1Queue = """
    CREATE TABLE org (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        timezone TEXT NOT NULL DEFAULT 'America/Chicago',
        window_start TEXT NOT NULL DEFAULT '08:00',
        window_end TEXT NOT NULL DEFAULT '16:00',
        window_days TEXT,
        paused BOOLEAN NOT NULL DEFAULT false,
        smart_encoding BOOLEAN NOT NULL DEFAULT false,
        optin_template TEXT,
        optin_confirmation TEXT,
        optout_confirmation TEXT,
        help_text TEXT,
        managed_by TEXT NOT NULL DEFAULT 'config',
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    );
    CREATE TABLE org_user (
        org_id TEXT NOT NULL REFERENCES org(id),
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        cell_phone TEXT,
        email TEXT,
        signature TEXT,
        paused BOOLEAN NOT NULL DEFAULT false,
        auto_reply TEXT,
        auto_reply_period BIGINT,
        managed_by TEXT NOT NULL DEFAULT 'config',
        -- NULL: not metered. A message is charged once, when first claimed (message.credits_charged).
        credits BIGINT,
        forward_replies BOOLEAN NOT NULL DEFAULT false,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (org_id, id)
    );
    CREATE TABLE phone_number (
        id BIGSERIAL PRIMARY KEY,
        e164 TEXT NOT NULL,
        carrier_sid TEXT,
        org_id TEXT NOT NULL REFERENCES org(id),
        user_id TEXT,
        number_type TEXT NOT NULL DEFAULT 'long_code',
        rate DOUBLE PRECISION,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'released')),
        provisioned_at BIGINT NOT NULL,
        released_at BIGINT
    );
    CREATE UNIQUE INDEX phone_number_active ON phone_number(e164) WHERE status = 'active';
    CREATE UNIQUE INDEX phone_number_user ON phone_number(org_id, user_id) WHERE status = 'active';

    -- The public contract: producers INSERT here and nowhere else. Loosely typed on purpose, as in
    -- SQLite: the ingester checks every value and rejects a bad row with a reason instead of the
    -- producer's INSERT failing. Ingested rows are deleted; the message keeps the outbox id, and
    -- Herald's own texts take theirs from the same sequence, so ids never collide.
    CREATE TABLE outbox (
        id BIGSERIAL PRIMARY KEY,
        org TEXT,
        sender TEXT,
        to_number TEXT,
        to_group TEXT,
        body TEXT,
        template TEXT,
        variables TEXT,
        kind TEXT,
        send_at TEXT,
        expires_at TEXT,
        external_ref TEXT,
        idempotency_key TEXT,
        created_at TEXT NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    );

    CREATE TABLE message (
        id BIGINT PRIMARY KEY,
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
        not_before BIGINT NOT NULL,
        expires_at BIGINT,
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
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        sent_at BIGINT,
        final_at BIGINT,
        body_purged_at BIGINT,
        credits_charged INTEGER,
        broadcast_id BIGINT,
        reconcile_at BIGINT,
        reconcile_lookups INTEGER NOT NULL DEFAULT 0
    );
    -- Claims walk this index one priority at a time from the oldest due entry, and take rows with
    -- FOR UPDATE SKIP LOCKED: the cost follows what is due, and two instances never take one row.
    CREATE INDEX message_due ON message(priority, not_before) WHERE state IN ('queued', 'scheduled');
    CREATE INDEX message_state ON message(state) WHERE state IN ('queued', 'scheduled', 'awaiting_consent', 'sending', 'sent');
    CREATE INDEX message_sid ON message(carrier_sid) WHERE carrier_sid IS NOT NULL;
    CREATE UNIQUE INDEX message_idempotency ON message(org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
    CREATE INDEX message_recipient ON message(to_number, org_id);
    CREATE INDEX message_retention ON message(final_at) WHERE final_at IS NOT NULL AND body_purged_at IS NULL;
    CREATE INDEX message_no_credits ON message(org_id, user_id) WHERE held_reason = 'no_credits';
    CREATE INDEX message_broadcast ON message(broadcast_id, id) WHERE broadcast_id IS NOT NULL;
    CREATE INDEX message_reconcile ON message(reconcile_at) WHERE state = 'sent' AND reconcile_at IS NOT NULL;

    CREATE TABLE message_event (
        id BIGSERIAL PRIMARY KEY,
        message_id BIGINT NOT NULL,
        at BIGINT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        reason TEXT,
        detail TEXT,
        http_status INTEGER,
        error_code INTEGER,
        carrier_status TEXT
    );
    CREATE INDEX message_event_message ON message_event(message_id, id);

    CREATE TABLE message_part (
        message_id BIGINT NOT NULL,
        part INTEGER NOT NULL,
        carrier_sid TEXT,
        carrier_status TEXT,
        error_code INTEGER,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (message_id, part)
    );
    CREATE INDEX message_part_sid ON message_part(carrier_sid) WHERE carrier_sid IS NOT NULL;

    CREATE TABLE inbound_message (
        id BIGSERIAL PRIMARY KEY,
        org_id TEXT,
        from_number TEXT NOT NULL,
        to_number TEXT NOT NULL,
        body TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        carrier_sid TEXT,
        keyword TEXT,
        action TEXT,
        body_purged_at BIGINT
    );
    -- Carriers redeliver webhooks; one reply is stored once.
    CREATE UNIQUE INDEX inbound_sid ON inbound_message(carrier_sid) WHERE carrier_sid IS NOT NULL;
    CREATE INDEX inbound_retention ON inbound_message(received_at) WHERE body_purged_at IS NULL;

    CREATE TABLE usage (
        org_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        month TEXT NOT NULL,
        messages BIGINT NOT NULL DEFAULT 0,
        segments BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (org_id, user_id, month)
    );

    CREATE TABLE contact (
        id BIGSERIAL PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES org(id),
        external_id TEXT,
        first_name TEXT,
        last_name TEXT,
        email TEXT,
        owner_user_id TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX contact_external ON contact(org_id, external_id) WHERE external_id IS NOT NULL;
    CREATE TABLE contact_number (
        org_id TEXT NOT NULL,
        number TEXT NOT NULL,
        contact_id BIGINT NOT NULL REFERENCES contact(id),
        label TEXT,
        preferred_sms INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (org_id, number)
    );
    CREATE INDEX contact_number_contact ON contact_number(contact_id);
    CREATE UNIQUE INDEX contact_number_preferred ON contact_number(contact_id) WHERE preferred_sms = 1;

    -- Consent per (org, number) follows an append-only ledger through a trigger, so the current
    -- state can never disagree with its evidence (docs/consent.md).
    CREATE TABLE consent_ledger (
        id BIGSERIAL PRIMARY KEY,
        org_id TEXT NOT NULL,
        number TEXT NOT NULL,
        at BIGINT NOT NULL,
        old_state TEXT NOT NULL CHECK (old_state IN ('unknown', 'opted_in', 'opted_out')),
        new_state TEXT NOT NULL CHECK (new_state IN ('unknown', 'opted_in', 'opted_out')),
        consent_type TEXT NOT NULL CHECK (consent_type IN ('email', 'phone', 'paper', 'web', 'sms_response', 'api')),
        changed_by TEXT NOT NULL,
        source_message_id BIGINT,
        source_inbound_id BIGINT,
        wording TEXT,
        note TEXT
    );
    CREATE INDEX consent_ledger_number ON consent_ledger(org_id, number, id);
    CREATE FUNCTION consent_ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'consent_ledger is append-only: it is the evidence of consent';
    END $$;
    CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE OR DELETE ON consent_ledger
        FOR EACH ROW EXECUTE FUNCTION consent_ledger_refuse_change();
    CREATE TRIGGER consent_ledger_no_truncate BEFORE TRUNCATE ON consent_ledger
        FOR EACH STATEMENT EXECUTE FUNCTION consent_ledger_refuse_change();

    CREATE TABLE consent (
        org_id TEXT NOT NULL,
        number TEXT NOT NULL,
        state TEXT NOT NULL,
        ledger_id BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (org_id, number)
    );
    CREATE FUNCTION consent_follow_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO consent (org_id, number, state, ledger_id, updated_at)
        VALUES (NEW.org_id, NEW.number, NEW.new_state, NEW.id, NEW.at)
        ON CONFLICT (org_id, number) DO UPDATE SET
            state = excluded.state, ledger_id = excluded.ledger_id, updated_at = excluded.updated_at;
        RETURN NULL;
    END $$;
    CREATE TRIGGER consent_follows_ledger AFTER INSERT ON consent_ledger
        FOR EACH ROW EXECUTE FUNCTION consent_follow_ledger();

    CREATE TABLE credit_allocation (
        id BIGSERIAL PRIMARY KEY,
        org_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        segments BIGINT NOT NULL,
        balance BIGINT NOT NULL,
        changed_by TEXT NOT NULL,
        note TEXT
    );
    CREATE INDEX credit_allocation_user ON credit_allocation(org_id, user_id, id);

    CREATE TABLE message_template (
        org_id TEXT NOT NULL,
        name TEXT NOT NULL,
        body TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (org_id, name)
    );

    CREATE TABLE admin_change (
        id BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
        actor TEXT NOT NULL,
        command TEXT NOT NULL,
        org_id TEXT,
        target TEXT,
        detail TEXT
    );

    CREATE TABLE contact_group (
        id BIGSERIAL PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES org(id),
        name TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX contact_group_name ON contact_group(org_id, name);
    CREATE TABLE contact_group_member (
        group_id BIGINT NOT NULL REFERENCES contact_group(id),
        contact_id BIGINT NOT NULL REFERENCES contact(id),
        added_at BIGINT NOT NULL,
        PRIMARY KEY (group_id, contact_id)
    );
    CREATE INDEX contact_group_member_contact ON contact_group_member(contact_id);

    CREATE TABLE broadcast (
        id BIGINT PRIMARY KEY,
        org_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        group_id BIGINT NOT NULL,
        group_name TEXT NOT NULL,
        body TEXT,
        template TEXT,
        variables TEXT,
        kind TEXT NOT NULL,
        send_at TEXT,
        expires_at TEXT,
        external_ref TEXT,
        idempotency_key TEXT,
        state TEXT NOT NULL CHECK (state IN ('fanning_out', 'done')),
        cursor BIGINT NOT NULL DEFAULT 0,
        members BIGINT NOT NULL DEFAULT 0,
        accepted BIGINT NOT NULL DEFAULT 0,
        rejected BIGINT NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        finished_at BIGINT
    );
    CREATE INDEX broadcast_open ON broadcast(id) WHERE state = 'fanning_out';
    CREATE UNIQUE INDEX broadcast_idempotency ON broadcast(org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

    CREATE TABLE reply_forward (
        id BIGSERIAL PRIMARY KEY,
        inbound_id BIGINT NOT NULL UNIQUE REFERENCES inbound_message(id),
        org_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        to_address TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        sent_at BIGINT
    );
    CREATE INDEX reply_forward_due ON reply_forward(next_attempt_at) WHERE state = 'pending';
    """
}
