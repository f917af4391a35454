import Foundation
import HeraldCarrier
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle
import Synchronization

/// Claims due messages, posts them through the carrier client, and writes the posts' results.
/// One loop does all the writing: each turn records the results that came back and claims what
/// is due in one transaction, so under load one commit (one fsync) serves both. A message is
/// durably `sending` before its POST (the claim commits first) and durably `sent`, `scheduled`
/// or `failed` after it.
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
        var unknownOutcome: UnknownOutcomePolicy = .repost
    }

    private let database: any DispatchStore
    private let poster: MessagePoster
    private let policy: DispatchPolicy
    private let settings: Settings
    private let clock: any WallClock
    private let logger: Logger
    private let events: DispatchEvents
    let wakeups = Doorbell()
    /// Texts claimed and not yet answered: posting, or waiting in the carrier client for a slot.
    private let inFlight = Atomic<Int>(0)
    /// Results of finished posts, not yet written.
    private let outcomes = Mutex<[DispatchRecord]>([])
    /// Claimed texts not yet posted or answered, by sender and recipient: a conversation's next
    /// text waits until none is left.
    private let pairsInFlight = Mutex<[Conversation: Int]>([:])
    /// A full disk or a broken file fails every turn: logged when it starts, every minute, and when it clears.
    private let writes = ConditionLog(
        "claim", what: "cannot claim due messages or record carrier outcomes, retrying; the messages stay sending"
    )

    /// Results wait this long for company before a turn writes them without claiming: many small
    /// commits become one larger one, and none waits for long.
    static let gatherDelay: Duration = .milliseconds(10)
    static let comfortableBatch = 256

    /// Ends every transfer still running at once (the libcurl client's shutdown): a stop never
    /// waits for `request_timeout` once the grace period is over.
    private let abortTransfers: @Sendable () -> Void
    private let metrics: HeraldMetrics

    init(database: any DispatchStore, carrier: any CarrierClient, policy: DispatchPolicy, settings: Settings, clock: any WallClock,
         logger: Logger, activity: ActivityCounters, metrics: HeraldMetrics, abortTransfers: @escaping @Sendable () -> Void = {}) {
        self.abortTransfers = abortTransfers
        self.metrics = metrics
        self.database = database
        poster = MessagePoster(carrier: carrier, segmentation: settings.segmentation)
        self.policy = policy
        self.settings = settings
        self.clock = clock
        self.logger = logger
        events = DispatchEvents(logger: logger, activity: activity)
    }

    func run() async throws {
        let reconciled = try await database.reconcileSending(now: clock.now(), unknownOutcome: settings.unknownOutcome)
        if reconciled > 0 {
            logger.notice("\(reconciled) messages were left sending by an earlier run; \(settings.unknownOutcome.fate)",
                          metadata: .event(.requeued))
        }
        await withGracefulShutdownHandler {
            await self.claimAndSend()
        } onGracefulShutdown: {
            self.wakeups.ring()
        }
        logger.info("dispatcher stopped")
    }

    private var shuttingDown: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    private func claimAndSend() async {
        await withDiscardingTaskGroup { sends in
            var lastPrune = clock.now()
            // The watchdog is fed from this loop itself: if claiming hangs, or every claim fails
            // (a full disk, a broken file), the pings stop and systemd restarts the daemon rather
            // than letting due messages wait forever behind a loop that only looks alive.
            let watchdog = SystemdNotifier.watchdogInterval()
            var lastPing = ContinuousClock.now
            var writeFailing = false
            var claimedSoFar = 0
            var unwritten: [DispatchRecord] = []
            var sizing = ClaimSizing(maxInFlight: settings.maxInFlight, batchSize: settings.batchSize)
            while !shuttingDown {
                if let wedge = TestHooks.wedgeDispatchAfterClaims, claimedSoFar >= wedge, inFlight.load(ordering: .relaxed) == 0,
                   unwritten.isEmpty, outcomesEmpty {
                    await TestHooks.wedgeDispatch(afterClaims: claimedSoFar, logger: logger)
                    continue
                }
                if let watchdog, !writeFailing, ContinuousClock.now - lastPing >= watchdog {
                    SystemdNotifier.notify("WATCHDOG=1")
                    lastPing = ContinuousClock.now
                }
                unwritten += takeOutcomes()
                var limit = claimLimit(sizing)
                if limit == 0 {
                    if unwritten.isEmpty {
                        await wakeups.wait(upTo: settings.idleWait)
                        continue
                    }
                    // No room to claim: the results that came back are written once they have had
                    // company, at the latest after gatherDelay, and as soon as enough posts have
                    // ended for a claim to ride along. A fixed sleep here idled the loop while a
                    // fast carrier had long answered: at 64 in flight it capped sending near
                    // 64 texts per gatherDelay plus one commit.
                    if unwritten.count < Self.comfortableBatch {
                        let gathered = ContinuousClock.now + Self.gatherDelay
                        while claimLimit(sizing) == 0, !shuttingDown, ContinuousClock.now < gathered {
                            await wakeups.wait(upTo: gathered - ContinuousClock.now)
                        }
                        unwritten += takeOutcomes()
                        limit = claimLimit(sizing)
                    }
                }
                let now = clock.now()
                let claimed: [ClaimedMessage]
                let waiting = Atomic<Int>(0)
                // Only this loop adds to inFlight, after the turn: what it lost meanwhile was answered.
                let outstandingBefore = inFlight.load(ordering: .relaxed)
                do {
                    let commit = try await database.claimDue(
                        now: now, limit: limit, recording: unwritten, lookback: { [policy] in policy.lookback($0) }
                    ) { [self, policy, events] candidate in
                        if pairsInFlight.withLock({ $0[Conversation(candidate.from, candidate.to)] != nil }) {
                            waiting.add(1, ordering: .relaxed)
                            return .wait
                        }
                        let verdict = policy.decide(candidate, now: now)
                        if case let .hold(until, reason, _) = verdict { events.held(candidate, until: until, reason: reason) }
                        return verdict
                    }
                    claimed = commit.claimed
                    sizing.turnEnded(answered: outstandingBefore - inFlight.load(ordering: .relaxed))
                    events.recorded(unwritten, applied: commit.recorded)
                    unwritten.removeAll(keepingCapacity: true)
                    writeFailing = false
                    writes.succeeded(logger: logger)
                } catch {
                    // The results stay in memory and the messages `sending` on disk: nothing is lost
                    // even if this never succeeds, since a restart finds them as unknown outcomes.
                    writeFailing = true
                    writes.failed("\(error)", logger: logger, metadata: ["outcomes": "\(unwritten.count)"])
                    await wakeups.wait(upTo: .seconds(1))
                    continue
                }
                claimedSoFar += claimed.count
                launch(claimed, in: &sends)
                if now.timeIntervalSince(lastPrune) > 60 {
                    policy.prune(now: now)
                    lastPrune = now
                }
                if limit > 0, claimed.count < limit, outcomesEmpty {
                    // Texts waiting behind their conversation's post in flight are due but not
                    // claimable: the end of that post rings, so do not spin on their due time.
                    await wakeups.wait(upTo: waiting.load(ordering: .relaxed) > 0 ? settings.idleWait : await idleDuration(now: now))
                }
            }
            await drain(sends: &sends, unwritten: unwritten)
        }
    }

    /// Posts what a claim took. A claim may take several texts of one conversation (sender,
    /// recipient), highest priority first: they are posted one after another, each once the
    /// carrier answered the one before, so a contact reads an opt-in confirmation before the
    /// journey it released; other conversations go at once.
    private func launch(_ claimed: [ClaimedMessage], in sends: inout DiscardingTaskGroup) {
        var conversations: [Conversation: [ClaimedMessage]] = [:]
        var order: [Conversation] = []
        for message in claimed {
            let pair = Conversation(message.from, message.to)
            if conversations[pair] == nil { order.append(pair) }
            conversations[pair, default: []].append(message)
        }
        pairsInFlight.withLock { pairs in
            for (pair, messages) in conversations { pairs[pair, default: 0] += messages.count }
        }
        inFlight.add(claimed.count, ordering: .relaxed)
        for pair in order {
            let messages = conversations[pair]!
            if messages.allSatisfy({ poster.postsWhole(lookUpFirst: $0.lookUpFirst) }) {
                postInTurn(messages[...])
            } else {
                sends.addTask {
                    for message in messages { await self.post(message) }
                }
            }
        }
    }

    /// Posts a conversation's texts that `MessagePoster.postsWhole` allows (nearly every one) one
    /// after another, each once the carrier answered the one before, from the carrier client's own
    /// thread: no task and no continuation a text (they were about 3 % of a text's CPU). Texts
    /// Herald segments itself, or whose last post may have reached the carrier, keep a task.
    private func postInTurn(_ messages: ArraySlice<ClaimedMessage>) {
        guard let message = messages.first else { return }
        let started = ContinuousClock.now
        poster.postWhole(outbound(message)) { [self] outcome in
            answered(message, outcome: outcome, partSIDs: [], started: started)
            postInTurn(messages.dropFirst())
        }
    }

    /// How many to claim now (`ClaimSizing`): the carrier client posts `max_in_flight` at a
    /// time, and texts claimed beyond them wait there for a slot.
    private func claimLimit(_ sizing: ClaimSizing) -> Int {
        sizing.limit(outstanding: inFlight.load(ordering: .relaxed))
    }

    /// A sender and a recipient, as a key: two strings hashed in place, where joining them
    /// allocated a third for every text, three times over.
    private struct Conversation: Hashable {
        let from: String
        let to: String
        init(_ from: String, _ to: String) {
            self.from = from
            self.to = to
        }
    }

    private func takeOutcomes() -> [DispatchRecord] {
        outcomes.withLock { records in
            defer { records.removeAll(keepingCapacity: true) }
            return records
        }
    }

    private var outcomesEmpty: Bool { outcomes.withLock { $0.isEmpty } }

    /// On shutdown: stop claiming, give in-flight posts the grace period, then abort the rest and
    /// write every result; anything still unwritten stays `sending` on disk and is an unknown
    /// outcome at the next start.
    private func drain(sends: inout DiscardingTaskGroup, unwritten: [DispatchRecord]) async {
        var unwritten = unwritten
        let count = inFlight.load(ordering: .relaxed)
        if count > 0 {
            logger.notice("stopping: waiting up to \(settings.shutdownGrace) for \(count) posts in flight")
            let deadline = ContinuousClock.now + settings.shutdownGrace
            while inFlight.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline {
                await wakeups.wait(upTo: .milliseconds(50))
            }
            let left = inFlight.load(ordering: .relaxed)
            if left > 0 {
                // What the aborted posts leave unknown is an unknown outcome like any other: looked
                // up, held or re-posted as `[carrier] unknown_outcome` says, now or at the next start.
                logger.warning("grace period over: aborting \(left) posts in flight")
                abortTransfers()
                sends.cancelAll()
                while inFlight.load(ordering: .relaxed) > 0 {
                    await wakeups.wait(upTo: .milliseconds(50))
                }
            }
        }
        unwritten += takeOutcomes()
        guard !unwritten.isEmpty else { return }
        for attempt in 1...3 {
            do {
                let applied = try await database.record(unwritten, now: clock.now())
                events.recorded(unwritten, applied: applied)
                return
            } catch where attempt < 3 {
                logger.error("cannot record \(unwritten.count) carrier outcomes at shutdown, retrying: \(error)")
                try? await Task.sleep(for: .milliseconds(200))
            } catch {
                logger.error("giving up recording \(unwritten.count) carrier outcomes at shutdown: \(error); those messages stay sending and are re-posted with the same idempotency key at the next start")
            }
        }
    }

    private func idleDuration(now: Date) async -> Duration {
        guard let next = try? await database.nextDue() else { return settings.idleWait }
        let seconds = next.timeIntervalSince(now)
        if seconds <= 0 { return .milliseconds(1) }
        return min(settings.idleWait, .milliseconds(Int64(seconds * 1000) + 1))
    }

    private func post(_ message: ClaimedMessage) async {
        let started = ContinuousClock.now
        let posted = await poster.post(outbound(message), lookUpFirst: message.lookUpFirst, postedSince: message.postedSince,
                                       acceptedParts: message.acceptedParts)
        answered(message, outcome: posted.outcome, partSIDs: posted.partSIDs, started: started)
    }

    private func outbound(_ message: ClaimedMessage) -> OutboundSMS {
        OutboundSMS(
            messageID: message.id, from: message.from, to: message.to, body: message.body,
            idempotencyKey: message.carrierKey,
            statusCallback: settings.statusCallbackBase().map { "\($0)?m=\(message.id)" }
        )
    }

    /// What a post's answer (or its lack) means for the message, kept for the next turn to write.
    private func answered(_ message: ClaimedMessage, outcome: CarrierOutcome, partSIDs: [String], started: ContinuousClock.Instant) {
        metrics.carrierRequest(outcome, duration: ContinuousClock.now - started)
        // The carrier has it (or will never answer this post): the conversation's next text may go.
        pairsInFlight.withLock { pairs in
            let pair = Conversation(message.from, message.to)
            if let left = pairs[pair], left > 1 { pairs[pair] = left - 1 } else { pairs[pair] = nil }
        }
        let now = clock.now()
        // Only a retry's delay uses the jitter, and drawing it is a getrandom(2) call: an accepted
        // post, nearly every one, skips it.
        let jitter = if case .accepted = outcome { 0.0 } else { Double.random(in: 0..<1) }
        let decision = OutcomeDecision.decide(
            outcome, attempts: message.attempts, expiresAt: message.expiresAt, now: now,
            policy: settings.retryPolicy, random: jitter, unknownOutcome: settings.unknownOutcome
        )
        var httpStatus: Int?
        switch outcome {
        case let .throttled(retryAfter, _, account):
            policy.throttle(sender: account ? nil : message.from, until: now + max(retryAfter ?? 1, 1))
            httpStatus = 429
        case let .permanent(_, _, status): httpStatus = status
        case let .retryable(_, status, _): httpStatus = status
        case .accepted: httpStatus = nil
        }
        outcomes.withLock { $0.append(DispatchRecord(message: message, decision: decision, httpStatus: httpStatus, partSIDs: partSIDs)) }
        inFlight.add(-1, ordering: .relaxed)
        wakeups.ring()
    }
}

extension UnknownOutcomePolicy {
    /// What happens to texts whose post may or may not have reached the carrier, for the log.
    var fate: String {
        switch self {
        case .lookup: "the carrier is asked whether it took them before any is posted again"
        case .repost: "they are re-posted with their idempotency keys"
        case .hold: "they are held unknown_outcome for an operator (heraldctl queue --held unknown_outcome)"
        }
    }
}
