import Foundation
import HeraldCarrier
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle

/// Asks the carrier about texts still `sent` (docs/carrier.md, "Reconciliation"): a status
/// callback tried once while heraldd was down, or lost on the way, leaves a text without its
/// final status, and nothing else would ever ask again. Lookups go in batches, at most
/// `in_flight` at once and `rate` per second, so sends keep the carrier's connections; a 429
/// pauses them all for its Retry-After.
final class ReconcileService: Service {
    struct Settings: Sendable {
        var rate: Double
        var inFlight: Int
        /// Texts looked up per pass.
        var batchSize = 100
        /// How long an idle pass sleeps at most before looking for due texts again: a text sent
        /// now is due `[reconcile] after` from now at the earliest.
        var idleWait: Duration = .seconds(30)
    }

    private let database: any ReconcileStore
    private let carrier: any CarrierClient
    private let settings: Settings
    private let clock: any WallClock
    private let logger: Logger
    private let activity: ActivityCounters
    private let metrics: HeraldMetrics
    private let failures = ConditionLog("reconcile", what: "cannot reconcile texts still sent, will try again")
    /// Lookups are spaced at least this far apart.
    private let spacing: Duration

    init(database: any ReconcileStore, carrier: any CarrierClient, settings: Settings, clock: any WallClock, logger: Logger,
         activity: ActivityCounters, metrics: HeraldMetrics) {
        self.metrics = metrics
        self.database = database
        self.carrier = carrier
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.activity = activity
        spacing = .nanoseconds(Int64(1_000_000_000 / max(settings.rate, 0.001)))
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.prepare()
            while !Task.isCancelled {
                let wait = await self.pass()
                try? await Task.sleep(for: wait)
            }
        }
    }

    /// Texts sent before this run may have lost their callbacks while heraldd was down: looked up soon.
    private func prepare() async {
        do {
            let soon = try await database.prepareReconciliation(now: clock.now())
            if soon > 0 {
                logger.notice("\(soon) texts were still sent when heraldd started; the carrier is asked for their status within a minute",
                              metadata: .event(.reconcileStarted))
            }
        } catch {
            failures.failed("\(error)", logger: logger)
        }
    }

    /// One batch; returns how long to wait before the next.
    private func pass() async -> Duration {
        let now = clock.now()
        let due: [ReconcileTarget]
        do {
            due = try await database.dueReconciliations(now: now, limit: settings.batchSize)
            failures.succeeded(logger: logger)
        } catch is CancellationError {
            return .zero
        } catch {
            failures.failed("\(error)", logger: logger)
            return .seconds(5)
        }
        guard !due.isEmpty else { return await idleWait(now: now) }
        let (answers, pause) = await lookUp(due)
        // A stop in the middle of a batch drops its answers: the texts stay due and are asked
        // again at the next start, which is no failure to report.
        guard !Task.isCancelled else { return .zero }
        do {
            let report = try await database.applyLookups(answers, now: clock.now())
            activity.add(report.moved, .reconciled)
            for target in report.gaveUp {
                logger.notice("message \(target) is still sent at the carrier after reconcile.give_up_after; reconciliation ended",
                              metadata: .event(.reconcileEnded, message: target))
            }
        } catch is CancellationError {
            return .zero
        } catch {
            failures.failed("\(error)", logger: logger)
            return .seconds(5)
        }
        return pause ?? .zero
    }

    /// Looks each sid up, `in_flight` at a time and spaced by the rate. A 429 stops the batch:
    /// what was not asked stays due, and the pause is returned.
    private func lookUp(_ targets: [ReconcileTarget]) async -> (answers: [ReconcileAnswer], pause: Duration?) {
        let questions = targets.flatMap { target in target.sids.map { (target.messageID, $0) } }
        var answers: [ReconcileAnswer] = []
        var pause: Duration?
        await withTaskGroup(of: ReconcileAnswer.self) { group in
            var slot = ContinuousClock.now
            var running = 0
            func collect(_ answer: ReconcileAnswer) {
                answers.append(answer)
                metrics.reconcileLookup(answer.answer)
                if case let .throttled(retryAfter, _) = answer.answer {
                    pause = .milliseconds(Int64(max(retryAfter ?? 1, 1) * 1000))
                }
            }
            for (messageID, sid) in questions {
                if running >= settings.inFlight, let answer = await group.next() {
                    running -= 1
                    collect(answer)
                }
                if pause != nil || Task.isCancelled { break }
                // Each lookup takes the next slot of the rate before it goes.
                slot = max(slot, ContinuousClock.now)
                let start = slot
                slot = slot + spacing
                running += 1
                group.addTask { [carrier] in
                    try? await Task.sleep(until: start)
                    return ReconcileAnswer(messageID: messageID, sid: sid, answer: await carrier.lookUp(sid: sid.sid))
                }
            }
            for await answer in group { collect(answer) }
        }
        return (answers, pause)
    }

    private func idleWait(now: Date) async -> Duration {
        guard let next = try? await database.nextReconciliation() else { return settings.idleWait }
        let seconds = next.timeIntervalSince(now)
        if seconds <= 0 { return .milliseconds(10) }
        return min(settings.idleWait, .milliseconds(Int64(seconds * 1000) + 1))
    }
}
