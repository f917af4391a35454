import Foundation
import HeraldCarrier
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle
import Synchronization

/// Claims due messages, posts them through the carrier client, and hands results to the
/// recorder. A message is durably `sending` before its POST (the claim commits first) and durably
/// `sent`, `scheduled` or `failed` after it.
final class DispatchService: Service {
    struct Settings: Sendable {
        var batchSize: Int
        var maxInFlight: Int
        var idleWait: Duration
        var shutdownGrace: Duration
        var retryPolicy: RetryPolicy
        /// Read for each post: with a system-chosen webhook port it is known only once bound.
        var statusCallbackBase: @Sendable () -> String?
        var segmentation: MessagePoster.Segmentation = .carrier
    }

    private let database: QueueDatabase
    private let poster: MessagePoster
    private let policy: DispatchPolicy
    private let recorder: OutcomeRecorder
    private let settings: Settings
    private let clock: any WallClock
    private let logger: Logger
    let wakeups = Doorbell()
    private let inFlight = Atomic<Int>(0)

    init(database: QueueDatabase, carrier: any CarrierClient, policy: DispatchPolicy, recorder: OutcomeRecorder,
         settings: Settings, clock: any WallClock, logger: Logger) {
        self.database = database
        poster = MessagePoster(carrier: carrier, segmentation: settings.segmentation)
        self.policy = policy
        self.recorder = recorder
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    func run() async throws {
        let reconciled = try await database.reconcileSending(now: clock.now())
        if reconciled > 0 {
            logger.notice("re-queued \(reconciled) messages left sending by an earlier run; they are re-posted with their idempotency keys",
                          metadata: .event(.requeued))
        }
        await withTaskGroup(of: Void.self) { outer in
            outer.addTask { await self.recorder.run() }
            await withGracefulShutdownHandler {
                await self.claimAndSend()
            } onGracefulShutdown: {
                self.wakeups.ring()
            }
            recorder.finish()
            await outer.waitForAll()
        }
        logger.info("dispatcher stopped")
    }

    private func claimAndSend() async {
        await withDiscardingTaskGroup { sends in
            var lastPrune = clock.now()
            // The watchdog is fed from this loop itself: if claiming hangs, or every claim fails
            // (a full disk, a broken file), the pings stop and systemd restarts the daemon rather
            // than letting due messages wait forever behind a loop that only looks alive.
            let watchdog = SystemdNotifier.watchdogInterval()
            var lastPing = ContinuousClock.now
            var claimFailing = false
            var claimedSoFar = 0
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                if let wedge = TestHooks.wedgeDispatchAfterClaims, claimedSoFar >= wedge {
                    await TestHooks.wedgeDispatch(afterClaims: claimedSoFar, logger: logger)
                    continue
                }
                if let watchdog, !claimFailing, ContinuousClock.now - lastPing >= watchdog {
                    SystemdNotifier.notify("WATCHDOG=1")
                    lastPing = ContinuousClock.now
                }
                let free = settings.maxInFlight - inFlight.load(ordering: .relaxed)
                // Claim in chunks, not one by one, so each claim transaction carries its weight.
                if free < min(settings.batchSize, settings.maxInFlight) / 4 + 1 {
                    await wakeups.wait(upTo: settings.idleWait)
                    continue
                }
                let now = clock.now()
                let limit = min(settings.batchSize, free)
                let claimed: [ClaimedMessage]
                let results = recorder.takeForClaim()
                do {
                    claimed = try await database.claimDue(
                        now: now, limit: limit, recording: (results, recorder.usageMonth), lookback: { [policy] in policy.lookback($0) }
                    ) { [policy, events = recorder.events] candidate in
                        let verdict = policy.decide(candidate, now: now)
                        if case let .hold(until, reason, _) = verdict { events.held(candidate, until: until, reason: reason) }
                        return verdict
                    }
                    recorder.events.recorded(results)
                    claimFailing = false
                } catch {
                    claimFailing = true
                    recorder.putBack(results)
                    logger.error("cannot claim due messages, retrying: \(error)")
                    await wakeups.wait(upTo: .seconds(1))
                    continue
                }
                claimedSoFar += claimed.count
                for message in claimed {
                    inFlight.add(1, ordering: .relaxed)
                    sends.addTask { await self.post(message) }
                }
                if now.timeIntervalSince(lastPrune) > 60 {
                    policy.prune(now: now)
                    lastPrune = now
                }
                if claimed.count < limit {
                    await wakeups.wait(upTo: await idleDuration(now: now))
                }
            }
            await drain(sends: &sends)
        }
    }

    /// On shutdown: stop claiming, give in-flight posts the grace period, then cancel the rest;
    /// a cancelled post is recorded as a retry, and anything still unrecorded stays `sending` on
    /// disk to be re-posted, with the same key, at the next start.
    private func drain(sends: inout DiscardingTaskGroup) async {
        let count = inFlight.load(ordering: .relaxed)
        guard count > 0 else { return }
        logger.notice("stopping: waiting up to \(settings.shutdownGrace) for \(count) posts in flight")
        let deadline = ContinuousClock.now + settings.shutdownGrace
        while inFlight.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline {
            await wakeups.wait(upTo: .milliseconds(50))
        }
        let left = inFlight.load(ordering: .relaxed)
        if left > 0 {
            logger.warning("grace period over: cancelling \(left) posts in flight")
            sends.cancelAll()
        }
    }

    private func idleDuration(now: Date) async -> Duration {
        guard let next = try? await database.nextDue() else { return settings.idleWait }
        let seconds = next.timeIntervalSince(now)
        if seconds <= 0 { return .milliseconds(1) }
        return min(settings.idleWait, .milliseconds(Int64(seconds * 1000) + 1))
    }

    private func post(_ message: ClaimedMessage) async {
        let sms = OutboundSMS(
            messageID: message.id, from: message.from, to: message.to, body: message.body,
            idempotencyKey: message.carrierKey,
            statusCallback: settings.statusCallbackBase().map { "\($0)?m=\(message.id)" }
        )
        let posted = await poster.post(sms)
        let outcome = posted.outcome
        let now = clock.now()
        let decision = OutcomeDecision.decide(
            outcome, attempts: message.attempts, expiresAt: message.expiresAt, now: now,
            policy: settings.retryPolicy, random: Double.random(in: 0..<1)
        )
        var httpStatus: Int?
        switch outcome {
        case let .throttled(retryAfter, _):
            policy.throttle(sender: message.from, until: now + max(retryAfter ?? 1, 1))
            httpStatus = 429
        case let .permanent(_, _, status): httpStatus = status
        case let .retryable(_, status, _): httpStatus = status
        case .accepted: httpStatus = nil
        }
        recorder.submit(DispatchRecord(message: message, decision: decision, httpStatus: httpStatus, partSIDs: posted.partSIDs))
        inFlight.add(-1, ordering: .relaxed)
        wakeups.ring()
    }
}
