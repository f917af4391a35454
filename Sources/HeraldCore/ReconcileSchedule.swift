import Foundation

/// When Herald asks the carrier about a text still `sent` (docs/carrier.md, "Reconciliation"): its
/// status callbacks may have been lost (a callback tried once while heraldd was down, a network
/// cut). First `after` the carrier took it, then on a widening schedule, until `giveUpAfter`.
public struct ReconcileSchedule: Sendable, Equatable {
    /// Seconds from `sent` to the first lookup (`[reconcile] after`).
    public var after: TimeInterval
    /// Seconds from `sent` after which a text the carrier still calls `sent` stays so for good.
    public var giveUpAfter: TimeInterval
    /// The widest gap between two lookups.
    public var maximumInterval: TimeInterval
    /// Texts still `sent` when heraldd starts may have lost their callbacks while it was down:
    /// they are looked up within this long of the start, spread over it so that a large backlog
    /// does not all come due at once.
    public var startSpread: TimeInterval

    public static let standard = ReconcileSchedule(after: 900, giveUpAfter: 259_200)

    public init(after: TimeInterval, giveUpAfter: TimeInterval, maximumInterval: TimeInterval = 6 * 3600, startSpread: TimeInterval = 60) {
        self.after = after
        self.giveUpAfter = giveUpAfter
        self.maximumInterval = maximumInterval
        self.startSpread = startSpread
    }

    /// The first lookup of a text the carrier took at `sentAt`.
    public func first(sentAt: Date) -> Date {
        sentAt + after
    }

    /// After `lookups` lookups that found the text still `sent`, the next one; nil to give up.
    /// The gaps double (after, 2 × after, 4 × after …, at most `maximumInterval`), and the last
    /// lookup falls at the give-up age itself.
    public func next(sentAt: Date, lookups: Int, now: Date) -> Date? {
        let giveUp = sentAt + giveUpAfter
        guard now < giveUp else { return nil }
        let gap = min(after * pow(2, Double(min(max(lookups, 0), 40))), maximumInterval)
        return min(now + gap, giveUp)
    }

    /// A lookup the carrier did not answer (a timeout, a 5xx, a 429) is asked again this soon,
    /// and does not count as a lookup.
    public static let unansweredRetry: TimeInterval = 60
}
