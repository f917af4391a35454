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
    /// Texts sent before this run started are looked up within this long of the start, spread
    /// over it so that a large backlog does not all come due at once.
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

    /// At start: a text sent before this run and still `sent` may have lost its callbacks while
    /// heraldd was down, so it is looked up soon rather than at its scheduled time. `rank` spreads
    /// the lookups (the n-th text of a backlog of `count`).
    public func atStart(scheduled: Date, started: Date, rank: Int, count: Int) -> Date {
        let spread = count > 1 ? startSpread * Double(rank) / Double(count - 1) : 0
        return min(scheduled, started + spread)
    }
}
