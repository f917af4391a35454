import GRDB

/// Schema history of the SQLite queue: the steps in the order they run, one file per step in this
/// folder. Released steps are never edited: add a new step instead (GRDB migrations;
/// MigrationChecksumTests pins the text of every step that has shipped).
/// Times are Unix milliseconds in internal tables; the public views show ISO 8601.
enum SQLiteMigrations {
    struct Step: Sendable {
        /// The name GRDB records in `grdb_migrations` once the step has run.
        let identifier: String
        let sql: String
    }

    static let steps: [Step] = [
        Step(identifier: "v1 queue", sql: v1Queue),
        Step(identifier: "v2 body retention", sql: v2BodyRetention),
        Step(identifier: "v3 recipient index", sql: v3RecipientIndex),
        Step(identifier: "v4 message parts", sql: v4MessageParts),
        Step(identifier: "v5 consent", sql: v5Consent),
        Step(identifier: "v6 auto reply", sql: v6AutoReply),
        Step(identifier: "v7 organizations", sql: v7Organizations),
        Step(identifier: "v8 broadcast", sql: v8Broadcast),
        Step(identifier: "v9 reply forwarding", sql: v9ReplyForwarding),
        Step(identifier: "v10 reconciliation", sql: v10Reconciliation),
        Step(identifier: "v11 state index predicate", sql: v11StateIndexPredicate),
        Step(identifier: "v12 paced index", sql: v12PacedIndex),
    ]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for step in steps {
            migrator.registerMigration(step.identifier) { db in
                try db.execute(sql: step.sql)
            }
        }
        return migrator
    }
}
