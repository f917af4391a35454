import Foundation
import HeraldCore
import HeraldStore

/// A real SQLite queue in a folder of its own, removed when the value goes: for tests that need
/// the store but not the daemon.
public final class TemporaryStore: Sendable {
    public let folder: URL
    public let database: QueueDatabase

    public init(reconcile: ReconcileSchedule = .standard) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = try QueueDatabase(path: folder.appendingPathComponent("herald.db").path, reconcile: reconcile)
    }

    deinit {
        try? database.pool.close()
        try? FileManager.default.removeItem(at: folder)
    }
}
