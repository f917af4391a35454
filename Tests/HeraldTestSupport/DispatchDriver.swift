import Foundation
import HeraldCarrier
import HeraldCore
import HeraldStore

/// The dispatch cycle without the daemon, one turn at a time on a manual clock: claim what is due
/// now (Core's claim rules and sending policy), post each through a carrier twin, write the
/// results. A test moves the clock and turns again, so retries, back-offs and windows can be
/// followed step by step and without sleeping.
public struct DispatchDriver {
    public let store: any DispatchStore
    public let poster: MessagePoster
    public let clock: ManualWallClock
    public var policy: SendPolicy
    public var retry: RetryPolicy
    public var unknownOutcome: UnknownOutcomePolicy
    private var limiter = SenderRateLimiter()

    public init(
        store: any DispatchStore, carrier: any CarrierClient, clock: ManualWallClock, policy: SendPolicy,
        retry: RetryPolicy = RetryPolicy(minimumBackoff: 5, maximumBackoff: 60, maxAttempts: 5, jitter: 0),
        unknownOutcome: UnknownOutcomePolicy = .lookup(delay: 10), segmentation: MessagePoster.Segmentation = .carrier
    ) {
        self.store = store
        poster = MessagePoster(carrier: carrier, segmentation: segmentation)
        self.clock = clock
        self.policy = policy
        self.retry = retry
        self.unknownOutcome = unknownOutcome
    }

    /// One turn: claims up to `limit` due messages, posts them one after another, and writes their
    /// results in the next claim's transaction, as the daemon does. Returns what was written.
    @discardableResult
    public mutating func turn(limit: Int = 100) async throws -> [DispatchRecord] {
        let now = clock.now()
        let policy = policy
        let reservations = LimiterBox(limiter)
        let claimed = try await store.claimDue(now: now, limit: limit, recording: [], lookback: { policy.lookback($0) }) { candidate in
            reservations.decide(candidate, policy: policy, now: now)
        }.claimed
        limiter = reservations.limiter
        var records: [DispatchRecord] = []
        for message in claimed {
            let sms = OutboundSMS(messageID: message.id, from: message.from, to: message.to, body: message.body,
                                  idempotencyKey: message.carrierKey, statusCallback: nil)
            let posted = await poster.post(sms, lookUpFirst: message.lookUpFirst, postedSince: message.postedSince,
                                           acceptedParts: message.acceptedParts)
            let decision = OutcomeDecision.decide(posted.outcome, attempts: message.attempts, expiresAt: message.expiresAt,
                                                  now: clock.now(), policy: retry, random: 0, unknownOutcome: unknownOutcome)
            records.append(DispatchRecord(message: message, decision: decision, httpStatus: nil, partSIDs: posted.partSIDs))
        }
        try await store.record(records, now: clock.now())
        return records
    }
}

/// The rate limiter's reservations, kept across the claim's calls of the policy.
private final class LimiterBox: @unchecked Sendable {
    var limiter: SenderRateLimiter
    init(_ limiter: SenderRateLimiter) { self.limiter = limiter }

    func decide(_ candidate: ClaimCandidate, policy: SendPolicy, now: Date) -> DispatchVerdict {
        policy.decide(candidate, now: now, limiter: &limiter)
    }
}
