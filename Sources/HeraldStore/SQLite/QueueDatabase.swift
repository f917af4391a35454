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

    public init(path: String, reconcile: ReconcileSchedule = .standard) throws(StoreError) {
        self.path = path
        self.reconcile = reconcile
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "herald"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
        do {
            // FULL: every committed transition is on disk, even across a power cut. Set on the
            // writer after opening, because GRDB sets NORMAL when it switches the file to WAL.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
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
