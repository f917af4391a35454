import Foundation
import HeraldCore
import Testing

/// The rules a claim applies to each due message, in their order: consent, expiry, credits, then
/// the sending policy. Plain values, no database.
@Suite("Claim rules")
struct ClaimRulesTests {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func candidate(
        _ kind: MessageKind = .conversational, segments: Int = 2, expiresAt: Date? = nil, charged: Int? = nil
    ) -> ClaimCandidate {
        ClaimCandidate(id: 7, orgID: "acme", userID: "alice", from: "+16125550100", to: "+16125550123", kind: kind,
                       segments: segments, state: .queued, notBefore: now, expiresAt: expiresAt, creditsCharged: charged)
    }

    /// A policy that records whether it was asked, and answers `answer`.
    private final class Policy: @unchecked Sendable {
        var asked = 0
        let answer: DispatchVerdict
        init(_ answer: DispatchVerdict = .send) { self.answer = answer }
        func callAsFunction(_ candidate: ClaimCandidate) -> DispatchVerdict {
            asked += 1
            return answer
        }
    }

    @Test("a STOP since ingest withdraws the text; unknown consent withdraws conversational and bulk, makes a journey wait")
    func consentAgain() {
        let policy = Policy()
        #expect(ClaimRules.decide(candidate(), consent: .optedOut, creditsLeft: nil, now: now, policy: policy.callAsFunction)
            == .withdraw(.optedOut, detail: "the recipient's consent is opted_out at send time"))
        #expect(ClaimRules.decide(candidate(.bulk), consent: .unknown, creditsLeft: nil, now: now, policy: policy.callAsFunction)
            == .withdraw(.noConsent, detail: "the recipient's consent is unknown at send time"))
        #expect(ClaimRules.decide(candidate(.journey), consent: .unknown, creditsLeft: nil, now: now, policy: policy.callAsFunction)
            == .awaitConsent(detail: "the recipient's consent is unknown at send time"))
        #expect(policy.asked == 0, "a text without consent takes no rate slot")
        #expect(ClaimRules.decide(candidate(), consent: .optedIn, creditsLeft: nil, now: now, policy: policy.callAsFunction) == .send(charge: 0))
        #expect(ClaimRules.needsConsent(candidate(.system)) == false)
        #expect(ClaimRules.needsConsent(candidate(.optInRequest)) == false)
        #expect(ClaimRules.needsConsent(candidate(.journey)))
    }

    @Test("an expired text expires before credits or the policy are asked, and consent comes first")
    func expiry() {
        let policy = Policy()
        #expect(ClaimRules.decide(candidate(expiresAt: now), consent: .optedIn, creditsLeft: 0, now: now, policy: policy.callAsFunction)
            == .expire(detail: "expires_at passed before it could be sent"))
        #expect(ClaimRules.decide(candidate(expiresAt: now), consent: .optedOut, creditsLeft: nil, now: now, policy: policy.callAsFunction)
            == .withdraw(.optedOut, detail: "the recipient's consent is opted_out at send time"))
        #expect(policy.asked == 0)
        #expect(ClaimRules.decide(candidate(expiresAt: now + 1), consent: .optedIn, creditsLeft: nil, now: now,
                                  policy: policy.callAsFunction) == .send(charge: 0))
    }

    @Test("credits: charged once by segments when metered; short credits hold the text an hour without asking the policy")
    func credits() {
        let policy = Policy()
        #expect(ClaimRules.decide(candidate(segments: 3), consent: .optedIn, creditsLeft: 3, now: now, policy: policy.callAsFunction)
            == .send(charge: 3))
        #expect(ClaimRules.decide(candidate(segments: 3), consent: .optedIn, creditsLeft: nil, now: now, policy: policy.callAsFunction)
            == .send(charge: 0), "unmetered")
        #expect(ClaimRules.decide(candidate(segments: 3, charged: 3), consent: .optedIn, creditsLeft: 0, now: now,
                                  policy: policy.callAsFunction) == .send(charge: 0), "a retry is free")
        #expect(ClaimRules.decide(candidate(.system, segments: 3), consent: nil, creditsLeft: 0, now: now, policy: policy.callAsFunction)
            == .send(charge: 0), "Herald's answers never wait for credits")
        #expect(policy.asked == 4)
        let held = ClaimRules.decide(candidate(segments: 3), consent: .optedIn, creditsLeft: 2, now: now, policy: policy.callAsFunction)
        #expect(held == .hold(until: now + 3600, reason: .noCredits,
                              detail: "user alice has 2 credits, this text needs 3 segments; heraldctl credits allocate releases it"))
        #expect(policy.asked == 4, "a text nobody can pay for takes no rate slot")
    }

    @Test("a hold that would end after expires_at ends at expires_at, so the text expires on time; one ending before is kept")
    func holdEndsAtExpiry() {
        let window = Policy(.hold(until: now + 16 * 3600, reason: .orgWindow, detail: nil))
        #expect(ClaimRules.decide(candidate(expiresAt: now + 7200), consent: .optedIn, creditsLeft: nil, now: now, policy: window.callAsFunction)
            == .hold(until: now + 7200, reason: .orgWindow,
                     detail: "the hold would end at \(Timestamp.format(now + 16 * 3600)), after expires_at"))
        #expect(ClaimRules.decide(candidate(expiresAt: now + 17 * 3600), consent: .optedIn, creditsLeft: nil, now: now,
                                  policy: window.callAsFunction) == .hold(until: now + 16 * 3600, reason: .orgWindow, detail: nil))
        let credits = ClaimRules.decide(candidate(segments: 3, expiresAt: now + 60), consent: .optedIn, creditsLeft: 2, now: now,
                                        policy: window.callAsFunction)
        #expect(credits == .hold(until: now + 60, reason: .noCredits, detail: """
            user alice has 2 credits, this text needs 3 segments; heraldctl credits allocate releases it; \
            the hold would end at \(Timestamp.format(now + 3600)), after expires_at
            """))
        // Back at expires_at, the claim expires it.
        #expect(ClaimRules.decide(candidate(expiresAt: now + 7200), consent: .optedIn, creditsLeft: nil, now: now + 7200,
                                  policy: window.callAsFunction) == .expire(detail: "expires_at passed before it could be sent"))
    }

    @Test("an opt-in request goes 12 hours after the user's last one to this contact went out, held optin_spacing until then")
    func optInSpacingAtClaim() {
        let policy = Policy()
        var request = candidate(.optInRequest)
        request.lastOptInRequest = now - 3600
        #expect(ClaimRules.decide(request, consent: nil, creditsLeft: nil, now: now, policy: policy.callAsFunction)
            == .hold(until: now + 11 * 3600, reason: .optinSpacing,
                     detail: "this user's last opt-in request to this contact went out at \(Timestamp.format(now - 3600))"))
        #expect(policy.asked == 0, "a request that must wait takes no rate slot")
        request.lastOptInRequest = now - 12 * 3600
        #expect(ClaimRules.decide(request, consent: nil, creditsLeft: nil, now: now, policy: policy.callAsFunction) == .send(charge: 0))
        var other = candidate(.journey)
        other.lastOptInRequest = now - 60
        #expect(ClaimRules.decide(other, consent: .optedIn, creditsLeft: nil, now: now, policy: policy.callAsFunction) == .send(charge: 0),
                "only opt-in requests are spaced")
        #expect(ClaimRules.needsOptInHistory(candidate(.optInRequest)))
        #expect(!ClaimRules.needsOptInHistory(candidate(.journey)))
    }

    @Test("the policy's hold is the claim's hold")
    func policyLast() {
        let policy = Policy(.hold(until: now + 30, reason: .orgWindow, detail: "closed"))
        #expect(ClaimRules.decide(candidate(), consent: .optedIn, creditsLeft: 10, now: now, policy: policy.callAsFunction)
            == .hold(until: now + 30, reason: .orgWindow, detail: "closed"))
    }

    @Test("credit rule: what is charged and what is refunded")
    func creditRule() {
        #expect(CreditRule.charge(candidate(segments: 4)) == 4)
        #expect(CreditRule.charge(candidate(segments: 4, charged: 0)) == 0)
        #expect(CreditRule.charge(candidate(.system, segments: 4)) == 0)
        #expect(CreditRule.refunds(httpStatus: 400, partsAccepted: 0))
        #expect(CreditRule.refunds(httpStatus: 499, partsAccepted: 0))
        #expect(!CreditRule.refunds(httpStatus: 400, partsAccepted: 1), "a part went: it is owed")
        #expect(!CreditRule.refunds(httpStatus: 500, partsAccepted: 0))
        #expect(!CreditRule.refunds(httpStatus: nil, partsAccepted: 0))
    }
}
