extension SQLiteMigrations {
    /// `segmentation = "client"` (docs/segments.md): Herald posts each segment as its own carrier message,
    /// with a sid and status callbacks of its own. The message is delivered once every part is.
    /// Rows come from accepted posts (sid, no status yet) and from status callbacks, whichever is
    /// first; `message.carrier_sid` keeps part 1's sid.
    static let v4MessageParts = """
    CREATE TABLE message_part (
        message_id INTEGER NOT NULL,
        part INTEGER NOT NULL,
        carrier_sid TEXT,
        carrier_status TEXT,
        error_code INTEGER,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, part)
    ) WITHOUT ROWID;
    CREATE INDEX message_part_sid ON message_part(carrier_sid) WHERE carrier_sid IS NOT NULL;

    CREATE VIEW message_parts AS
    SELECT message_id, part, carrier_sid, carrier_status, error_code,
        strftime('%Y-%m-%dT%H:%M:%fZ', updated_at / 1000.0, 'unixepoch') AS updated_at
    FROM message_part;
    """
}
