import Foundation
import Testing

import HeraldCore

@Suite("OutcomeDecision")
struct OutcomeDecisionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let policy = RetryPolicy(minimumBackoff: 5, maximumBackoff: 3600, maxAttempts: 10, jitter: 0.2)

    private func decide(
        _ outcome: CarrierOutcome, attempts: Int = 1, expiresAt: Date? = nil, random: Double = 0
    ) -> OutcomeDecision {
        OutcomeDecision.decide(outcome, attempts: attempts, expiresAt: expiresAt, now: now, policy: policy, random: random)
    }

    @Test func acceptedIsSent() {
        #expect(decide(.accepted(sid: "SM123", status: "queued", segments: 2)) == .sent(sid: "SM123", carrierStatus: "queued", segments: 2))
        #expect(decide(.accepted(sid: "SMx", status: "sent", segments: nil)) == .sent(sid: "SMx", carrierStatus: "sent", segments: nil))
    }

    @Test func acceptedStaysSentEvenPastExpiryOrAttempts() {
        let decision = decide(.accepted(sid: "SM1", status: "queued", segments: 1), attempts: 99, expiresAt: now - 60)
        #expect(decision == .sent(sid: "SM1", carrierStatus: "queued", segments: 1))
    }

    @Test("5xx and transport errors retry with retry_backoff at now + delay", arguments: [1, 2, 3, 9])
    func retryableRetries(attempts: Int) throws {
        let outcome = CarrierOutcome.retryable(detail: "Service Unavailable", httpStatus: 503, maybeDelivered: false)
        let decision = decide(outcome, attempts: attempts)
        guard case let .retry(notBefore, reason, detail) = decision else {
            Issue.record("expected retry, got \(decision)")
            return
        }
        #expect(notBefore == now + policy.delay(afterAttempts: attempts, random: 0))
        #expect(reason == .retryBackoff)
        #expect(detail.contains("503"))
    }

    @Test func retryUsesTheJitteredDelay() {
        let outcome = CarrierOutcome.retryable(detail: "timeout", httpStatus: nil, maybeDelivered: true)
        #expect(decide(outcome, attempts: 4, random: 0.5) == .retry(
            notBefore: now + policy.delay(afterAttempts: 4, random: 0.5), reason: .retryBackoff, detail: outcome.summary))
    }

    @Test func throttledHonoursRetryAfter() throws {
        let decision = decide(.throttled(retryAfter: 30, detail: "Too Many Requests"), attempts: 1)
        guard case let .retry(notBefore, reason, _) = decision else {
            Issue.record("expected retry, got \(decision)")
            return
        }
        #expect(notBefore == now + 30)
        #expect(reason == .carrierBackoff)
        // Longer than our own curve would say: still honoured exactly.
        guard case let .retry(later, _, _) = decide(.throttled(retryAfter: 7200, detail: "slow down"), attempts: 1) else {
            Issue.record("expected retry")
            return
        }
        #expect(later == now + 7200)
    }

    @Test func throttledWithoutRetryAfterUsesThePolicy() {
        let outcome = CarrierOutcome.throttled(retryAfter: nil, detail: "20429")
        #expect(decide(outcome, attempts: 3) == .retry(notBefore: now + 20, reason: .carrierBackoff, detail: outcome.summary))
    }

    @Test func throttledNeverRetriesSoonerThanOneSecond() {
        for retryAfter in [0.0, -5.0, 0.25] {
            let outcome = CarrierOutcome.throttled(retryAfter: retryAfter, detail: "")
            guard case let .retry(notBefore, _, _) = decide(outcome) else {
                Issue.record("expected retry for Retry-After \(retryAfter)")
                continue
            }
            #expect(notBefore == now + 1)
        }
    }

    @Test("a permanent 4xx fails with its code", arguments: [(400, 21211), (400, 21614), (400, 21408), (404, 20404)])
    func permanentFails(httpStatus: Int, code: Int) {
        let outcome = CarrierOutcome.permanent(errorCode: code, message: "nope", httpStatus: httpStatus)
        let decision = decide(outcome)
        guard case let .fail(errorCode, detail) = decision else {
            Issue.record("expected fail, got \(decision)")
            return
        }
        #expect(errorCode == code)
        #expect(detail.contains(String(code)))
        #expect(detail.contains("HTTP \(httpStatus)"))
    }

    @Test func permanentWithoutCodeFailsWithoutCode() {
        #expect(decide(.permanent(errorCode: nil, message: "Bad Request", httpStatus: 400))
            == .fail(errorCode: nil, detail: CarrierOutcome.permanent(errorCode: nil, message: "Bad Request", httpStatus: 400).summary))
    }

    @Test("401 and 403 hold the message as carrier back-off instead of failing it", arguments: [401, 403])
    func refusedAccountRetries(httpStatus: Int) {
        let decision = decide(.permanent(errorCode: 20003, message: "Authenticate", httpStatus: httpStatus), attempts: 2)
        guard case let .retry(notBefore, reason, detail) = decision else {
            Issue.record("expected retry, got \(decision)")
            return
        }
        #expect(notBefore == now + 10)
        #expect(reason == .carrierBackoff)
        #expect(detail.contains("account"))
    }

    @Test func givesUpAtMaxAttempts() {
        let retryable = CarrierOutcome.retryable(detail: "Bad Gateway", httpStatus: 502, maybeDelivered: false)
        if case .retry = decide(retryable, attempts: 9) {} else { Issue.record("attempt 9 of 10 should still retry") }
        for attempts in [10, 11, 50] {
            let decision = decide(retryable, attempts: attempts)
            guard case let .fail(code, detail) = decision else {
                Issue.record("expected fail at \(attempts), got \(decision)")
                continue
            }
            #expect(code == nil)
            #expect(detail.hasPrefix("gave up after \(attempts) attempts"))
            #expect(detail.contains("502"))
        }
        guard case .fail = decide(.throttled(retryAfter: 5, detail: ""), attempts: 10) else {
            Issue.record("throttled at the attempt limit should fail too")
            return
        }
    }

    @Test func expiresWhenTheNextAttemptWouldBePastExpiry() {
        let retryable = CarrierOutcome.retryable(detail: "boom", httpStatus: 500, maybeDelivered: false)
        // First retry is 5 s away.
        for expiresAt in [now + 4, now + 5] {
            let decision = decide(retryable, attempts: 1, expiresAt: expiresAt)
            guard case let .expire(detail) = decision else {
                Issue.record("expected expire for expiresAt \(expiresAt), got \(decision)")
                continue
            }
            #expect(detail.contains("expires_at"))
        }
        #expect(decide(retryable, attempts: 1, expiresAt: now + 6) == .retry(notBefore: now + 5, reason: .retryBackoff, detail: retryable.summary))
        // Retry-After past expiry expires too.
        guard case .expire = decide(.throttled(retryAfter: 120, detail: ""), expiresAt: now + 60) else {
            Issue.record("Retry-After past expires_at should expire")
            return
        }
    }

    @Test func permanentFailureIgnoresExpiry() {
        #expect(decide(.permanent(errorCode: 21211, message: "invalid", httpStatus: 400), expiresAt: now + 1)
            == .fail(errorCode: 21211, detail: CarrierOutcome.permanent(errorCode: 21211, message: "invalid", httpStatus: 400).summary))
    }
}
