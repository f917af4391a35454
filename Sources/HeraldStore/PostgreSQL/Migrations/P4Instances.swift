extension PostgresMigrations {
    /// Several heraldd on one queue (docs/instances.md): each instance's heartbeat, the leases
    /// on sender numbers and on the shared work, and which instance claimed a text now `sending`,
    /// so that only its own, or a dead instance's, are recovered.
    static let p4Instances = """
    CREATE TABLE instance (
        id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        version TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        seen_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
    );
    CREATE TABLE instance_lease (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        taken_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
    );
    CREATE INDEX instance_lease_holder ON instance_lease (holder);
    ALTER TABLE message ADD COLUMN claimed_by TEXT;
    CREATE INDEX message_sending ON message (claimed_by) WHERE state = 'sending';
    """
}
