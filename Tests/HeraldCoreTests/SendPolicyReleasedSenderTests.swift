import Foundation
import HeraldCore
import Testing

/// The claim-time rule for texts whose number was released: plain values, no database.
@Suite("Send policy: released senders")
struct SendPolicyReleasedSenderTests {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)
    private let policy = SendPolicy(directory: Directory(
        organizations: [OrganizationProfile(id: "acme", name: "Acme", timeZone: "America/Chicago", paused: false)],
        senders: [SenderProfile(orgID: "acme", userID: "alice", number: "+16125550100", rate: 10)]
    ), windows: WindowCalculator())

    private func decide(_ candidate: ClaimCandidate) -> DispatchVerdict {
        var limiter = SenderRateLimiter()
        return policy.decide(candidate, now: now, limiter: &limiter)
    }

    private func candidate(from: String, user: String?, org: String = "acme", expiresAt: Date? = nil) -> ClaimCandidate {
        ClaimCandidate(id: 1, orgID: org, userID: user, from: from, to: "+16125550123", kind: .conversational, segments: 1,
                       heldReason: nil, notBefore: now, expiresAt: expiresAt)
    }

    @Test("the owner's text goes; one from a number no longer active, now another user's or another org's is held sender_released")
    func held() {
        #expect(decide(candidate(from: "+16125550100", user: "alice")) == .send)
        let hourly = DispatchVerdict.hold(until: now + 3600, reason: .senderReleased)
        #expect(decide(candidate(from: "+16125550150", user: "dave")) == hourly)
        #expect(decide(candidate(from: "+16125550100", user: "dave")) == hourly, "re-provisioned to alice since")
        #expect(decide(candidate(from: "+16125550100", user: "alice", org: "globex")) == hourly)
    }

    @Test("a held text is looked at again when it expires if that comes before the hourly recheck")
    func expiry() {
        let soon = now + 600
        #expect(decide(candidate(from: "+16125550150", user: "dave", expiresAt: soon))
            == .hold(until: soon, reason: .senderReleased))
    }

    @Test("a text held to its rate slot goes at that slot without queueing again, and one whose slot passed long ago only if the cap allows")
    func lateReservations() {
        var limiter = SenderRateLimiter()
        func held(slot: Date) -> ClaimCandidate {
            ClaimCandidate(id: 1, orgID: "acme", userID: "alice", from: "+16125550100", to: "+16125550123", kind: .conversational,
                           segments: 1, heldReason: .senderRate, notBefore: slot, expiresAt: nil)
        }
        // Spend the burst (10/s, one second's allowance).
        for _ in 0..<9 { #expect(policy.decide(candidate(from: "+16125550100", user: "alice"), now: now, limiter: &limiter) == .send) }
        // Due now: it holds its slot.
        #expect(policy.decide(held(slot: now), now: now, limiter: &limiter) == .send)
        // Its slot passed a minute ago: a backlog of these must not go at once.
        guard case .hold(_, .senderRate, _) = policy.decide(held(slot: now - 60), now: now, limiter: &limiter) else {
            Issue.record("a text whose slot passed long ago went without a new reservation")
            return
        }
    }
}

