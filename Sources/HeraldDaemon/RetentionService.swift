import Foundation
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle

/// Empties the bodies of messages final for longer than `retention.days`, and of replies received
/// as long ago (docs/data-safety.md): once at start, then every `interval`. Usage aggregates are not touched,
/// nor will the consent ledger be: it is evidence. Each transaction takes at most `batchSize` rows
/// and the pass pauses between them, because dispatch shares the one writer and must not wait
/// behind a backlog of months.
final class RetentionService: Service {
    struct Settings: Sendable {
        var days: Int
        /// Real time between passes. Only the cutoff comes from the injected clock: a pass that
        /// ran late purges what it finds, and a clock set back never stops it.
        var interval: Duration = .seconds(3600)
        var batchSize = 500
        var pause: Duration = .milliseconds(20)
    }

    /// What one pass emptied, for the journal.
    private struct Pass {
        var messages = 0
        var inbound = 0
        var transactions = 0
    }

    private let database: any RetentionStore
    private let settings: Settings
    private let clock: any WallClock
    private let logger: Logger
    /// One line when passes start failing, reminders while they go on, one when a pass succeeds again.
    private let failures = ConditionLog("retention", what: "retention: cannot empty old bodies")

    init(database: any RetentionStore, settings: Settings, clock: any WallClock, logger: Logger) {
        self.database = database
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await purge()
            try? await cancelWhenGracefulShutdown { [interval = settings.interval] in try await Task.sleep(for: interval) }
        }
    }

    /// One pass over both tables; a failure is logged and the next pass tries again.
    private func purge() async {
        let now = clock.now()
        let cutoff = now - TimeInterval(settings.days) * 86_400
        var pass = Pass()
        do {
            try await drain(into: \.messages, of: &pass) { [database, settings] in
                try await database.purgeMessageBodies(finalBefore: cutoff, now: now, limit: settings.batchSize)
            }
            try await drain(into: \.inbound, of: &pass) { [database, settings] in
                try await database.purgeInboundBodies(receivedBefore: cutoff, now: now, limit: settings.batchSize)
            }
        } catch is CancellationError {
            // Stopping mid-pass: what was purged is committed, the rest waits for the next start.
            return
        } catch {
            failures.failed("""
                \(error) (\(pass.messages) messages and \(pass.inbound) replies done this pass; will try again in \(settings.interval))
                """, logger: logger)
            return
        }
        failures.succeeded(logger: logger)
        let summary = """
            retention: emptied the bodies of \(pass.messages) messages final before \(Timestamp.format(cutoff)) and of \
            \(pass.inbound) replies received before then (retention.days = \(settings.days), \(pass.transactions) transactions)
            """
        if pass.messages + pass.inbound > 0 { logger.info("\(summary)") } else { logger.debug("\(summary)") }
    }

    /// Repeats `batch` until it comes back short of a full batch, counting into `pass` as it goes.
    private func drain(
        into count: WritableKeyPath<Pass, Int>, of pass: inout Pass, _ batch: @Sendable () async throws -> Int
    ) async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let purged = try await batch()
            pass.transactions += 1
            pass[keyPath: count] += purged
            if purged < settings.batchSize { return }
            try? await Task.sleep(for: settings.pause)
        }
    }
}
