import Foundation

/// Segment credits (docs/consent.md, "Credits"): a metered user's texts are charged once, at
/// their first claim, by their segment count; retries are free, and a carrier's outright refusal
/// gives the charge back.
public enum CreditRule {
    /// Herald's own answers to a contact (STOP/HELP confirmations) are owed to the contact and
    /// never wait for the sender's credits.
    public static func charges(_ kind: MessageKind) -> Bool { kind != .system }

    /// The segments this claim would take from the user's credits: 0 for a free kind or for a
    /// message charged (or claimed unmetered) before.
    public static func charge(_ candidate: ClaimCandidate) -> Int {
        candidate.creditsCharged == nil && charges(candidate.kind) ? candidate.segments : 0
    }

    /// How long a message held for credits waits before it is looked at again: an allocation
    /// releases it at once, so this only bounds how late its expiry is noticed.
    public static let recheck: TimeInterval = 3600

    /// Whether a post's answer refunds the charge: a 4xx is the carrier refusing the text outright,
    /// so nothing was sent and nothing is owed. A text some of whose parts went is owed.
    public static func refunds(httpStatus: Int?, partsAccepted: Int) -> Bool {
        guard let httpStatus else { return false }
        return (400..<500).contains(httpStatus) && partsAccepted == 0
    }

    static func holdDetail(user: String, left: Int, needs: Int) -> String {
        "user \(user) has \(max(left, 0)) credits, this text needs \(needs) segments; heraldctl credits allocate releases it"
    }
}
