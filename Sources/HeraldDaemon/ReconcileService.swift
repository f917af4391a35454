import Foundation
import HeraldCarrier
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle
import Synchronization

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
        /// How long an idle pass sleeps at most before looking for due texts again.
        var idleWait: Duration = .seconds(30)
    }

    private let database: any ReconcileStore
    private let carrier: any CarrierClient
    private let settings: Settings
    private let clock: any WallClock
    private let logger: Logger
    private let activity: ActivityCounters
    private let failures = ConditionLog("reconcile", what: "cannot reconcile texts still sent, will try again")
    /// Lookups are spaced at least this far apart.
    private let spacing: Duration

    init(database: any ReconcileStore, carrier: any CarrierClient, settings: Settings, clock: any WallClock, logger: Logger,
         activity: ActivityCounters) {
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
        } catch {
            failures.failed("\(error)", logger: logger)
            return .seconds(5)
        }
        guard !due.isEmpty else { return await idleWait(now: now) }
        let (answers, pause) = await lookUp(due)
        do {
            let report = try await database.applyLookups(answers, now: clock.now())
            activity.add(report.moved, .reconciled)
            for target in report.gaveUp {
                logger.notice("message \(target) is still sent at the carrier after reconcile.give_up_after; reconciliation ended",
                              metadata: .event(.reconcileEnded, message: target))
            }
        } catch {
            failures.failed("\(error)", logger: logger)
            return .seconds(5)
        }
        return pause ?? .zero
    }

    /// Looks each sid up, `in_flight` at a time and spaced by the rate. A 429 stops the batch:
    /// what was not asked stays due, and the pause is returned.
    private func lookUp(_ targets: [ReconcileTarget]) async -> (answers: [ReconcileAnswer], pause: Duration?) {
        let questions = targets.flatMap { target in target.sids.map { (target, $0) } }
        let answers = Mutex<[ReconcileAnswer]>([])
        let pause = Mutex<Duration?>(nil)
        let next = Mutex(ContinuousClock.now)
        await withTaskGroup(of: Void.self) { group in
            var started = 0
            for (target, sid) in questions {
                if pause.withLock({ $0 }) != nil || Task.isCancelled { break }
                if started >= settings.inFlight { await group.next() }
                started += 1
                // Each lookup takes the next slot of the rate before it goes.
                let slot = next.withLock { slot -> ContinuousClock.Instant in
                    let mine = max(slot, ContinuousClock.now)
                    slot = mine + spacing
                    return mine
                }
                group.addTask {
                    try? await Task.sleep(until: slot)
                    let answer = await self.carrier.lookUp(sid: sid.sid)
                    if case let .throttled(retryAfter, _) = answer {
                        pause.withLock { $0 = .milliseconds(Int64(max(retryAfter ?? 1, 1) * 1000)) }
                    }
                    answers.withLock { $0.append(ReconcileAnswer(messageID: target.messageID, sid: sid, answer: answer)) }
                }
            }
        }
        return (answers.withLock { $0 }, pause.withLock { $0 })
    }

    private func idleWait(now: Date) async -> Duration {
        guard let next = try? await database.nextReconciliation() else { return settings.idleWait }
        let seconds = next.timeIntervalSince(now)
        if seconds <= 0 { return .milliseconds(10) }
        return min(settings.idleWait, .milliseconds(Int64(seconds * 1000) + 1))
    }
}
