import GRDB

/// Message ids are outbox ids. Texts Herald writes itself (confirmations, opt-in requests) take
/// theirs from the outbox's AUTOINCREMENT sequence too, so a producer's next row can never collide
/// with one: SQLite gives the next outbox row `seq + 1`.
enum MessageIDs {
    static func next(_ db: Database) throws -> Int64 {
        try reserve(1, db)
    }

    /// `count` consecutive ids with one update of the sequence (a broadcast's batch takes
    /// thousands at once); returns the first.
    static func reserve(_ count: Int, _ db: Database) throws -> Int64 {
        precondition(count > 0)
        if let last = try Int64.fetchOne(db, sql: "UPDATE sqlite_sequence SET seq = seq + ? WHERE name = 'outbox' RETURNING seq", arguments: [count]) {
            return last - Int64(count) + 1
        }
        // No outbox row was ever written: start above anything already in `message`.
        let first = (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM message") ?? 0) + 1
        try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)", arguments: [first + Int64(count) - 1])
        return first
    }
}
