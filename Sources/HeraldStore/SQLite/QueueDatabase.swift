import Foundation
import GRDB
import HeraldCore

/// The queue database: one WAL `DatabasePool` per file, and heraldd its only writer (producers
/// only INSERT into `outbox`). Every state change and its event commit in one transaction.
public final class QueueDatabase: Sendable {
    public let pool: DatabasePool
    public let path: String

    /// When texts still `sent` are looked up (`[reconcile]`).
    public let reconcile: ReconcileSchedule

    /// Told how long each write transaction took (`timedWrite`), for the metrics endpoint.
    private let writeTimer: (@Sendable (Duration) -> Void)?

    public init(
        path: String, reconcile: ReconcileSchedule = .standard, writeTimer: (@Sendable (Duration) -> Void)? = nil
    ) throws(StoreError) {
        self.path = path
        self.reconcile = reconcile
        self.writeTimer = writeTimer
        SQLiteProcessSettings.made
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "herald"
        configuration.prepareDatabase { db in
            // Statement journals and sorts in memory, not in temporary files made and unlinked
            // for a statement at a time.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        do {
            // A connection of our own, in WAL mode, holds the file's shared lock while the pool
            // opens: without it a producer's connection closing at that moment (the last one)
            // deletes the -wal file between GRDB's two looks at it, and heraldd fails to start.
            let guardConnection = try DatabaseQueue(path: path, configuration: configuration)
            try guardConnection.writeWithoutTransaction { db in
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master")
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            try guardConnection.close()
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
        do {
            // FULL: every committed transition is on disk, even across a power cut. Set on the
            // writer after opening, because GRDB sets NORMAL when it switches the file to WAL.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // Checkpoints every 16 MiB of WAL instead of 4: the pages every commit rewrites
                // (index leaves, the event table's last page) are copied back and synced a quarter
                // as often.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 4000")
            }
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
        let migrator = SQLiteMigrations.migrator
        do {
            let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
            if superseded {
                let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
                let known = Set(migrator.migrations)
                throw StoreError.newerSchema(path: path, unknownMigrations: applied.subtracting(known).sorted())
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
        do {
            try migrator.migrate(pool)
        } catch {
            throw .migrationFailed(path: path, reason: Self.describe(error))
        }
    }

    /// The one way the store's functions write: a transaction on the pool's writer, timed from
    /// asking for the writer to its commit, so waiting behind another write counts too.
    func timedWrite<T: Sendable>(_ updates: @Sendable (Database) throws -> T) async throws -> T {
        guard let writeTimer else { return try await pool.write(updates) }
        let start = ContinuousClock.now
        defer { writeTimer(ContinuousClock.now - start) }
        return try await pool.write(updates)
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }
}

extension Date {
    /// Unix milliseconds: how internal tables store instants.
    var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    init(millis: Int64) {
        self.init(timeIntervalSince1970: Double(millis) / 1000)
    }
}
