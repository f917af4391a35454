import Foundation
@testable import HeraldDaemon
import HeraldCore
@testable import HeraldStore
import Testing

/// The claim-time rule for texts whose number was released: plain values, no database.
@Suite("Dispatch policy: released senders")
struct ReleasedSenderPolicyTests {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)
    private let policy = DispatchPolicy(directory: Directory(
        organizations: [OrganizationProfile(id: "acme", name: "Acme", timeZone: "America/Chicago", paused: false)],
        senders: [SenderProfile(orgID: "acme", userID: "alice", number: "+16125550100", rate: 10)]
    ))

    private func candidate(from: String, user: String?, org: String = "acme", expiresAt: Date? = nil) -> ClaimCandidate {
        ClaimCandidate(id: 1, orgID: org, userID: user, from: from, to: "+16125550123", kind: .conversational, segments: 1,
                       heldReason: nil, notBefore: now, expiresAt: expiresAt)
    }

    @Test("the owner's text goes; one from a number no longer active, now another user's or another org's is held sender_released")
    func held() {
        #expect(policy.decide(candidate(from: "+16125550100", user: "alice"), now: now) == .send)
        let hourly = ClaimVerdict.hold(until: now + 3600, reason: .senderReleased)
        #expect(policy.decide(candidate(from: "+16125550150", user: "dave"), now: now) == hourly)
        #expect(policy.decide(candidate(from: "+16125550100", user: "dave"), now: now) == hourly, "re-provisioned to alice since")
        #expect(policy.decide(candidate(from: "+16125550100", user: "alice", org: "globex"), now: now) == hourly)
    }

    @Test("a held text is looked at again when it expires if that comes before the hourly recheck")
    func expiry() {
        let soon = now + 600
        #expect(policy.decide(candidate(from: "+16125550150", user: "dave", expiresAt: soon), now: now)
            == .hold(until: soon, reason: .senderReleased))
    }
}
