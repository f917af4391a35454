import Foundation
import HeraldCore
import Synchronization

/// Core's sending policy over the shared directory, with the rate limiter's reservations kept
/// between claims. The claim transaction calls `decide` for each message that may otherwise go.
final class DispatchPolicy: Sendable {
    let directory: SharedDirectory
    private let limiter = Mutex(SenderRateLimiter())
    private let metrics: HeraldMetrics

    init(directory: SharedDirectory, metrics: HeraldMetrics) {
        self.directory = directory
        self.metrics = metrics
    }

    func decide(_ candidate: ClaimCandidate, now: Date) -> DispatchVerdict {
        let policy = directory.sendPolicy
        let verdict = limiter.withLock { policy.decide(candidate, now: now, limiter: &$0) }
        if case .hold(_, .senderRate, _) = verdict { metrics.rateLimitWaits.increment() }
        return verdict
    }

    func lookback(_ candidate: ClaimCandidate) -> TimeInterval? {
        directory.sendPolicy.lookback(candidate)
    }

    /// Numbers this instance just leased from another start at their steady rate (docs/instances.md).
    func takeOver(senders: [String], now: Date, reservedUntil: [String: Date]) {
        limiter.withLock { limiter in
            for sender in senders { limiter.startPaced(sender: sender, now: now, reservedUntil: reservedUntil[sender]) }
        }
    }

    /// A 429 or 20429 pauses the account (every sender), a 30001 that sender (`sender`); never
    /// the queue (docs/carrier.md).
    func throttle(sender: String?, until: Date) {
        limiter.withLock { limiter in
            if let sender { limiter.block(sender: sender, until: until) } else { limiter.blockAccount(until: until) }
        }
    }

    func prune(now: Date) {
        limiter.withLock { $0.prune(now: now) }
    }
}
