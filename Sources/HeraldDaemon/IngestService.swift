import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle
import Synchronization

/// Moves producers' outbox rows into the queue. It notices new rows through `PRAGMA data_version`
/// on a connection of its own (a counter in shared memory, no table scan), and only then reads.
final class IngestService: Service {
    let database: QueueDatabase
    let rules: Mutex<IngestRules>
    let directory: Mutex<Directory>
    private let batchSize: Int
    let clock: any WallClock
    let logger: Logger
    let onQueued: @Sendable () -> Void
    let activity: ActivityCounters
    /// How often the change counter is read; a read costs microseconds.
    static let pollInterval: Duration = .milliseconds(10)
    /// Look at the outbox now and then even without a signal, in case a producer wrote through a
    /// path that does not bump the counter (another host's copy, a restored file).
    static let sweepInterval: Duration = .seconds(5)

    init(database: QueueDatabase, rules: IngestRules, directory: Directory, batchSize: Int, clock: any WallClock,
         logger: Logger, activity: ActivityCounters, onQueued: @escaping @Sendable () -> Void) {
        self.activity = activity
        self.database = database
        self.rules = Mutex(rules)
        self.directory = Mutex(directory)
        self.batchSize = batchSize
        self.clock = clock
        self.logger = logger
        self.onQueued = onQueued
    }

    func update(directory: Directory) {
        self.directory.withLock { $0 = directory }
    }

    func update(rules: IngestRules) {
        self.rules.withLock { $0 = rules }
    }

    func run() async throws {
        let watcher = try DatabaseQueue(path: database.path, configuration: {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.label = "herald.ingest-watch"
            return configuration
        }())
        var lastVersion: Int?
        var lastSweep = ContinuousClock.now
        // A fan-out cut short by a crash or a stop resumes from its committed cursor.
        var broadcastsOpen = (try? await database.hasOpenBroadcast()) ?? true
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let swept = ContinuousClock.now - lastSweep > Self.sweepInterval
            // The daemon's own commits bump the counter too; a cheap existence check on the same
            // connection keeps them from costing a write transaction each.
            let seen = lastVersion
            let look = try? await watcher.read { db -> (Int, Bool) in
                let version = try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0
                guard version != seen || swept else { return (version, false) }
                return (version, try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM outbox)") ?? false)
            }
            if let (version, hasRows) = look {
                if version != lastVersion || swept { lastSweep = ContinuousClock.now }
                lastVersion = version
                if hasRows, await drainOutbox() { broadcastsOpen = true }
            }
            // One fan-out batch per turn, so rows producers write meanwhile are not kept waiting
            // behind a large group; no pause between batches while members remain.
            if broadcastsOpen {
                broadcastsOpen = await fanOutBatch()
                if broadcastsOpen { continue }
            }
            try? await Task.sleep(for: Self.pollInterval)
        }
    }

    /// Ingests batch after batch until the outbox is empty; returns whether a row became a broadcast.
    @discardableResult
    func drainOutbox() async -> Bool {
        var broadcasts = false
        while !Task.isCancelled {
            do {
                let report = try await database.ingest(
                    limit: batchSize, now: clock.now(), directory: directory.withLock { $0 }, rules: rules.withLock { $0 }
                )
                if report.total == 0 { return broadcasts }
                if !report.broadcasts.isEmpty { broadcasts = true }
                log(report)
                if report.queued > 0 || report.scheduled > 0 || !report.optInRequests.isEmpty { onQueued() }
                if report.total < batchSize { return broadcasts }
            } catch {
                logger.error("cannot ingest the outbox, will retry: \(error)")
                try? await Task.sleep(for: .seconds(1))
                return broadcasts
            }
        }
        return broadcasts
    }

    /// Per-message lines at debug; the counts feed the info-level rollup.
    func log(_ report: IngestReport) {
        activity.add(report.queued, .queued)
        activity.add(report.scheduled + report.awaitingConsent, .held)
        activity.add(report.rejected.count, .rejected)
        guard logger.logLevel <= .debug else { return }
        for message in report.accepted {
            if message.state != .queued {
                let reason = message.heldReason?.rawValue ?? "-"
                logger.debug("message \(message.messageID) held until \(Timestamp.format(message.notBefore)): \(reason)",
                             metadata: .event(.held, message: message.messageID, org: message.orgID,
                                              [LogKey.reason: "\(reason)", "not_before": "\(Timestamp.format(message.notBefore))"]))
            } else {
                logger.debug("message \(message.messageID) queued", metadata: .event(.queued, message: message.messageID, org: message.orgID))
            }
        }
        for rejection in report.rejected {
            logger.debug("message \(rejection.messageID) rejected: \(rejection.reason)",
                         metadata: .event(.rejected, message: rejection.messageID, org: rejection.orgID,
                                          [LogKey.reason: "\(rejection.reason.code)"]))
        }
    }
}
