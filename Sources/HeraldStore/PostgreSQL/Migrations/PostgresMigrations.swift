/// Schema history of the PostgreSQL queue: the steps in the order they run, one file per step in
/// this folder. Once a step has shipped it is never edited: add a new step instead. The server
/// records each step with the MD5 of its SQL in `herald_migration`, and `PostgresMigrator` refuses a
/// database whose recorded steps differ from this list (PostgresMigrationChecksumTests pins the text).
///
/// The schema is SQLite's as of its step v10, in PostgreSQL's types: internal tables keep instants
/// as Unix milliseconds (`BIGINT`), the public views show ISO 8601, and the producer contract
/// (`INSERT INTO outbox`, the same columns, loosely typed as TEXT) is the same.
enum PostgresMigrations {
    struct Step: Sendable {
        let identifier: String
        let sql: String
    }

    static let steps: [Step] = [
        Step(identifier: "p1 queue", sql: p1Queue),
        Step(identifier: "p2 views", sql: p2Views),
        Step(identifier: "p3 outbox notify", sql: p3OutboxNotify),
        Step(identifier: "p4 instances", sql: p4Instances),
        Step(identifier: "p5 paced index", sql: p5PacedIndex),
    ]

    /// Every statement the migrator runs before a step: where steps are recorded.
    static let bookkeeping = """
    CREATE TABLE IF NOT EXISTS herald_migration (
        identifier TEXT PRIMARY KEY,
        position INTEGER NOT NULL UNIQUE,
        md5 TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    """

    /// Serializes migrations of one database by several heraldd starting at once.
    static let advisoryLock: Int64 = 0x4865_7261_6C64 // "Herald"
}
