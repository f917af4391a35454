import Foundation
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle

/// Moves producers' outbox rows into the queue, woken by the store as rows arrive, and fans out
/// broadcasts between outbox batches.
final class IngestService: Service {
    let database: any OutboxIntake
    let directory: SharedDirectory
    private let batchSize: Int
    let clock: any WallClock
    let logger: Logger
    let onQueued: @Sendable () -> Void
    let activity: ActivityCounters
    let metrics: HeraldMetrics
    /// Failing ingest and fan-out passes retry every second: logged without flooding.
    let ingestFailures = ConditionLog("ingest", what: "cannot ingest the outbox, retrying; the rows stay in the outbox")
    let fanOutFailures = ConditionLog("broadcast_fanout", what: "cannot fan out a broadcast, retrying from its last committed member")

    init(database: any OutboxIntake, directory: SharedDirectory, batchSize: Int, clock: any WallClock,
         logger: Logger, activity: ActivityCounters, metrics: HeraldMetrics, onQueued: @escaping @Sendable () -> Void) {
        self.activity = activity
        self.metrics = metrics
        self.database = database
        self.directory = directory
        self.batchSize = batchSize
        self.clock = clock
        self.logger = logger
        self.onQueued = onQueued
    }

    func run() async throws {
        // A fan-out cut short by a crash or a stop resumes from its committed cursor.
        if (try? await database.hasOpenBroadcast()) ?? true { await fanOut() }
        for try await _ in database.outboxArrivals().cancelOnGracefulShutdown() {
            if await drainOutbox() { await fanOut() }
        }
    }

    /// Fans out open broadcasts batch by batch, with no pause while members remain, ingesting rows
    /// producers write meanwhile between batches so they are not kept waiting behind a large group.
    private func fanOut() async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled, await fanOutBatch() {
            if (try? await database.outboxHasRows()) == true { await drainOutbox() }
        }
    }

    /// Ingests batch after batch until the outbox is empty; returns whether a row became a broadcast.
    @discardableResult
    func drainOutbox() async -> Bool {
        var broadcasts = false
        while !Task.isCancelled {
            do {
                let report = try await database.ingest(
                    limit: batchSize, now: clock.now(), directory: directory.current, rules: directory.ingestRules
                )
                ingestFailures.succeeded(logger: logger)
                if report.total == 0 { return broadcasts }
                if !report.broadcasts.isEmpty { broadcasts = true }
                log(report)
                if report.queued > 0 || report.scheduled > 0 || !report.optInRequests.isEmpty { onQueued() }
                if report.total < batchSize { return broadcasts }
            } catch {
                ingestFailures.failed("\(error)", logger: logger)
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
        metrics.ingested(lags: report.outboxLags)
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
