/// The durable queue of replies to mail to their users (`reply_forward`, see ReplyForwards.swift).
extension SQLiteMigrations {
    static let v9ReplyForwarding = """
    ALTER TABLE user ADD COLUMN forward_replies INTEGER NOT NULL DEFAULT 0;

    CREATE TABLE reply_forward (
        id INTEGER PRIMARY KEY,
        inbound_id INTEGER NOT NULL UNIQUE REFERENCES inbound_message(id),
        org_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        to_address TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        sent_at INTEGER
    );
    -- The forwarder's only question: what is due now, and when is the next one due.
    CREATE INDEX reply_forward_due ON reply_forward(next_attempt_at) WHERE state = 'pending';

    CREATE VIEW reply_forwards AS
    SELECT id, inbound_id, org_id AS org, user_id AS user, to_address, state, attempts,
        strftime('%Y-%m-%dT%H:%M:%fZ', next_attempt_at / 1000.0, 'unixepoch') AS next_attempt_at,
        last_error,
        strftime('%Y-%m-%dT%H:%M:%fZ', created_at / 1000.0, 'unixepoch') AS created_at,
        strftime('%Y-%m-%dT%H:%M:%fZ', sent_at / 1000.0, 'unixepoch') AS sent_at
    FROM reply_forward;
    """
}
