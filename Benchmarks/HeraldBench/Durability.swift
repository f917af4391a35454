import GRDB
import HeraldStore

/// What the daemon's writer connection really runs with, read back rather than assumed.
struct Durability {
    var journalMode: String
    var synchronous: Int

    /// Asks the writer connection itself: `synchronous` is per connection, and a library may set
    /// it after the daemon's own connection setup has run.
    static func of(_ database: QueueDatabase) async throws -> Durability {
        try await database.pool.writeWithoutTransaction { db in
            Durability(
                journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?",
                synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            )
        }
    }

    /// SQLite's names for `PRAGMA synchronous` values.
    var synchronousName: String {
        switch synchronous {
        case 0: "OFF"
        case 1: "NORMAL"
        case 2: "FULL"
        case 3: "EXTRA"
        default: "\(synchronous)"
        }
    }

    /// In WAL mode only FULL and EXTRA sync the log at every commit; NORMAL syncs at
    /// checkpoints, so a power cut can undo transitions already reported.
    var everyCommitSynced: Bool { synchronous >= 2 }
}

enum BenchError: Error, CustomStringConvertible {
    case notSQLite
    case backlogNeedsEmptyQueue

    var description: String {
        switch self {
        case .notSQLite: "herald-bench measures the SQLite queue; the daemon opened another backend"
        case .backlogNeedsEmptyQueue: "--reconcile-backlog is written into a fresh database, but it already holds messages or outbox rows"
        }
    }
}
