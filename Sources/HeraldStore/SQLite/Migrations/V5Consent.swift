extension SQLiteMigrations {
    /// Contacts and consent (docs/domain.md, docs/consent.md). Consent per (organization, number) is derived from an
    /// append-only ledger by a trigger, so the current state can never disagree with its evidence;
    /// the ledger refuses UPDATE and DELETE and retention never touches it (docs/data-safety.md).
    static let v5Consent = """
    ALTER TABLE org ADD COLUMN optin_template TEXT;
    ALTER TABLE org ADD COLUMN optin_confirmation TEXT;
    ALTER TABLE org ADD COLUMN optout_confirmation TEXT;
    ALTER TABLE org ADD COLUMN help_text TEXT;

    CREATE TABLE contact (
        id INTEGER PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES org(id),
        external_id TEXT,
        first_name TEXT,
        last_name TEXT,
        email TEXT,
        owner_user_id TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX contact_external ON contact(org_id, external_id) WHERE external_id IS NOT NULL;
    -- A number belongs to one contact of an organization: consent is kept per number.
    CREATE TABLE contact_number (
        org_id TEXT NOT NULL,
        number TEXT NOT NULL,
        contact_id INTEGER NOT NULL REFERENCES contact(id),
        label TEXT,
        preferred_sms INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (org_id, number)
    ) WITHOUT ROWID;
    CREATE INDEX contact_number_contact ON contact_number(contact_id);
    CREATE UNIQUE INDEX contact_number_preferred ON contact_number(contact_id) WHERE preferred_sms = 1;

    CREATE TABLE consent_ledger (
        id INTEGER PRIMARY KEY,
        org_id TEXT NOT NULL,
        number TEXT NOT NULL,
        at INTEGER NOT NULL,
        old_state TEXT NOT NULL CHECK (old_state IN ('unknown', 'opted_in', 'opted_out')),
        new_state TEXT NOT NULL CHECK (new_state IN ('unknown', 'opted_in', 'opted_out')),
        consent_type TEXT NOT NULL CHECK (consent_type IN ('email', 'phone', 'paper', 'web', 'sms_response', 'api')),
        changed_by TEXT NOT NULL,
        source_message_id INTEGER,
        source_inbound_id INTEGER,
        wording TEXT,
        note TEXT
    );
    CREATE INDEX consent_ledger_number ON consent_ledger(org_id, number, id);
    CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE ON consent_ledger
    BEGIN SELECT RAISE(ABORT, 'consent_ledger is append-only: it is the evidence of consent'); END;
    CREATE TRIGGER consent_ledger_no_delete BEFORE DELETE ON consent_ledger
    BEGIN SELECT RAISE(ABORT, 'consent_ledger is append-only: it is the evidence of consent'); END;

    -- The current state per (org, number); no row means unknown.
    CREATE TABLE consent (
        org_id TEXT NOT NULL,
        number TEXT NOT NULL,
        state TEXT NOT NULL,
        ledger_id INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (org_id, number)
    ) WITHOUT ROWID;
    CREATE TRIGGER consent_follows_ledger AFTER INSERT ON consent_ledger
    BEGIN
        INSERT INTO consent (org_id, number, state, ledger_id, updated_at)
        VALUES (NEW.org_id, NEW.number, NEW.new_state, NEW.id, NEW.at)
        ON CONFLICT (org_id, number) DO UPDATE SET
            state = excluded.state, ledger_id = excluded.ledger_id, updated_at = excluded.updated_at;
    END;

    CREATE VIEW consents AS
    SELECT org_id AS org, number, state,
        strftime('%Y-%m-%dT%H:%M:%fZ', updated_at / 1000.0, 'unixepoch') AS updated_at
    FROM consent;

    CREATE VIEW consent_history AS
    SELECT id, org_id AS org, number,
        strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch') AS at,
        old_state, new_state, consent_type, changed_by, source_message_id, source_inbound_id, wording, note
    FROM consent_ledger;

    CREATE VIEW contacts AS
    SELECT c.id, c.org_id AS org, c.external_id, c.first_name, c.last_name, c.email, c.owner_user_id AS owner,
        n.number, n.label, n.preferred_sms
    FROM contact c JOIN contact_number n ON n.contact_id = c.id;
    """
}
