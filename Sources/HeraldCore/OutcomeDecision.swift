import Foundation

/// What the queue does with a message after a POST: the scheduler's half of dispatch, free of I/O.
public enum OutcomeDecision: Sendable, Equatable {
    case sent(sid: String, carrierStatus: String, segments: Int?)
    case retry(notBefore: Date, reason: HeldReason, detail: String)
    case fail(errorCode: Int?, detail: String)
    case expire(detail: String)

    /// - Parameters:
    ///   - attempts: posts made so far, this one included.
    ///   - random: jitter source in [0, 1).
    ///   - unknownOutcome: what a post that may have reached the carrier without an answer leads to.
    public static func decide(
        _ outcome: CarrierOutcome, attempts: Int, expiresAt: Date?, now: Date, policy: RetryPolicy, random: Double,
        unknownOutcome: UnknownOutcomePolicy = .repost
    ) -> OutcomeDecision {
        // The carrier may have the text: neither the attempt limit nor the expiry can say it was
        // not sent, so the message is looked up or held whatever they say.
        if case let .retryable(detail, _, true) = outcome,
           let (notBefore, reason, said) = unknownOutcome.placement(now: now, case: detail) {
            return .retry(notBefore: notBefore, reason: reason, detail: said)
        }
        let notBefore: Date
        let reason: HeldReason
        let detail: String
        switch outcome {
        case let .accepted(sid, status, segments):
            return .sent(sid: sid, carrierStatus: status, segments: segments)
        case let .permanent(_, _, httpStatus) where httpStatus == 401 || httpStatus == 403:
            // A refused account (wrong token, suspended sid) says nothing about the message: hold it
            // as carrier back-off until the operator fixes the account, rather than failing the queue.
            notBefore = now + policy.delay(afterAttempts: attempts, random: random)
            reason = .carrierBackoff
            detail = "carrier refused the account: \(outcome.summary); check carrier.account_sid and the auth token"
        case let .permanent(code, _, _):
            return .fail(errorCode: code, detail: outcome.summary)
        case .retryable:
            notBefore = now + policy.delay(afterAttempts: attempts, random: random)
            reason = .retryBackoff
            detail = outcome.summary
        case let .throttled(retryAfter, _, _):
            // The carrier named its own pause; honour it, but never retry sooner than our floor.
            let wait = max(retryAfter ?? policy.delay(afterAttempts: attempts, random: random), 0)
            notBefore = now + max(wait, 1)
            reason = .carrierBackoff
            detail = outcome.summary
        }
        if attempts >= policy.maxAttempts {
            return .fail(errorCode: nil, detail: "gave up after \(attempts) attempts: \(detail)")
        }
        if let expiresAt, notBefore >= expiresAt {
            return .expire(detail: "next attempt at \(notBefore) would be past expires_at: \(detail)")
        }
        return .retry(notBefore: notBefore, reason: reason, detail: detail)
    }
}
