import GRDB

/// Message ids are outbox ids. Texts Herald writes itself (confirmations, opt-in requests) take
/// theirs from the outbox's AUTOINCREMENT sequence too, so a producer's next row can never collide
/// with one: SQLite gives the next outbox row `seq + 1`.
enum MessageIDs {
    static func next(_ db: Database) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'outbox' RETURNING seq") {
            return id
        }
        // No outbox row was ever written: start above anything already in `message`.
        let id = (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM message") ?? 0) + 1
        try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)", arguments: [id])
        return id
    }
}
