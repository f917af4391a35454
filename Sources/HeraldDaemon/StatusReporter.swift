import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle

/// Tells systemd how the queue is doing (`STATUS=` every few seconds, `STOPPING=1` the moment a
/// graceful shutdown starts) and writes the info-level rollup of what happened to messages.
/// Listed last in the service group, so it is the first told to stop.
final class StatusReporter: Service {
    private let database: any OperatorStore
    private let activity: ActivityCounters
    private let logger: Logger
    private let statusInterval: Duration
    private let rollupInterval: Duration
    private let notifying: Bool

    init(database: any OperatorStore, activity: ActivityCounters, logger: Logger,
         statusInterval: Duration = .seconds(5), rollupInterval: Duration = .seconds(10),
         notifying: Bool = SystemdNotifier.isEnabled) {
        self.database = database
        self.activity = activity
        self.logger = logger
        self.statusInterval = statusInterval
        self.rollupInterval = rollupInterval
        self.notifying = notifying
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            _ = try? await cancelWhenGracefulShutdown { try await self.report() }
        } onGracefulShutdown: { [logger] in
            SystemdNotifier.notify("STOPPING=1")
            logger.notice("stopping: no new claims; posts in flight get the shutdown grace period", metadata: .event(.stopping))
        }
    }

    private func report() async throws {
        var depth: [MessageState: Int] = [:]
        var nextDepthRead = ContinuousClock.now
        var lastRollup = (at: ContinuousClock.now, tally: activity.tally())
        while !Task.isCancelled {
            let now = ContinuousClock.now
            if notifying {
                if now >= nextDepthRead {
                    let started = ContinuousClock.now
                    if let counts = try? await database.countsByState() { depth = counts }
                    // Index-only, but a million scheduled messages still take about a quarter
                    // second to count (2-core machine): keep it under 1% of the time by reading less
                    // often when it is slow. The stale counts are still shown meanwhile.
                    nextDepthRead = started + max(statusInterval, (ContinuousClock.now - started) * 100)
                }
                SystemdNotifier.notify("STATUS=" + QueueStatus(depth: depth, sendRate: activity.sendRate()).line)
            }
            if now - lastRollup.at >= rollupInterval {
                let tally = activity.tally()
                rollup(tally.since(lastRollup.tally), over: now - lastRollup.at)
                lastRollup = (now, tally)
            }
            try await Task.sleep(for: statusInterval)
        }
    }

    /// Nothing is written for a quiet interval: an idle daemon's journal stays empty.
    private func rollup(_ tally: ActivityTally, over interval: Duration) {
        guard !tally.isEmpty else { return }
        var metadata = Logger.Metadata.event(.summary)
        for (key, count) in tally.metadata { metadata[key] = .stringConvertible(count) }
        logger.log(level: tally.hasLosses ? .notice : .info,
                   "\(tally.summary(seconds: Int(interval.components.seconds)))", metadata: metadata)
    }
}
