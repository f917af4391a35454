extension SQLiteMigrations {
    /// Organizations and teams (docs/domain.md): who manages each org and user, segment credits,
    /// named templates, and the log of every admin change with who made it.
    static let v7Organizations = """
    -- `config` rows follow herald.toml at every start and reload; `admin` rows are created and
    -- changed with heraldctl, and the configuration never touches them.
    ALTER TABLE org ADD COLUMN managed_by TEXT NOT NULL DEFAULT 'config';
    ALTER TABLE user ADD COLUMN managed_by TEXT NOT NULL DEFAULT 'config';

    -- Segment credits: NULL means the user is not metered. A message is charged once, when it is
    -- first claimed; `credits_charged` says how many segments it took, so a retry never pays twice.
    ALTER TABLE user ADD COLUMN credits INTEGER;
    ALTER TABLE message ADD COLUMN credits_charged INTEGER;
    CREATE INDEX message_no_credits ON message(org_id, user_id) WHERE held_reason = 'no_credits';
    CREATE TABLE credit_allocation (
        id INTEGER PRIMARY KEY,
        org_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        segments INTEGER NOT NULL,
        balance INTEGER NOT NULL,
        changed_by TEXT NOT NULL,
        note TEXT
    );
    CREATE INDEX credit_allocation_user ON credit_allocation(org_id, user_id, id);

    CREATE TABLE message_template (
        org_id TEXT NOT NULL,
        name TEXT NOT NULL,
        body TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (org_id, name)
    ) WITHOUT ROWID;
    -- A row may name a template and give its variables (a JSON object) instead of a body.
    ALTER TABLE outbox ADD COLUMN template TEXT;
    ALTER TABLE outbox ADD COLUMN variables TEXT;

    -- Every change made over the admin socket to organizations, users, templates and credits.
    CREATE TABLE admin_change (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        command TEXT NOT NULL,
        org_id TEXT,
        target TEXT,
        detail TEXT
    );
    CREATE VIEW admin_changes AS
    SELECT id, strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch') AS at, actor, command, org_id AS org, target, detail
    FROM admin_change;
    CREATE VIEW credit_allocations AS
    SELECT id, org_id AS org, user_id AS user, strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch') AS at,
        segments, balance, changed_by, note
    FROM credit_allocation;
    """
}
