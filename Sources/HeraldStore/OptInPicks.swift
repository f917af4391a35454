import Foundation
import HeraldCore

/// The opt-in requests one claim has picked, by org, user and number. They are not `sending` on
/// disk until the claim finishes, so the spacing rule (`ClaimRules`) counts them beside what the
/// store read; each backend's claim keeps one.
struct OptInPicks {
    private var picked: [String: Date] = [:]

    mutating func picked(_ candidate: ClaimCandidate, at now: Date) {
        picked[Self.key(candidate, candidate.to)] = now
    }

    /// When the user's last other request to `numbers` (the contact) went: `sent`, read from the
    /// store, or a pick of this claim, whichever is later.
    func lastRequest(_ candidate: ClaimCandidate, numbers: [String], sent: Date?) -> Date? {
        ([sent].compactMap { $0 } + numbers.compactMap { picked[Self.key(candidate, $0)] }).max()
    }

    private static func key(_ candidate: ClaimCandidate, _ number: String) -> String {
        candidate.orgID + "\u{1F}" + (candidate.userID ?? "") + "\u{1F}" + number
    }
}
