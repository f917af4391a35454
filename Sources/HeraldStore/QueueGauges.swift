import Foundation
import HeraldCore

/// The queue as the metrics endpoint shows it at a scrape (docs/metrics.md).
public struct QueueGauges: Sendable, Equatable {
    /// Messages in each state a message passes through (queued, scheduled, awaiting_consent,
    /// sending, sent); final states are counted by their transitions instead.
    public var byState: [MessageState: Int]
    /// Messages waiting (queued, scheduled, awaiting_consent) by what holds them.
    public var held: [HeldReason: Int]
    /// Since when the longest-waiting due message has been due; nil when none is due.
    public var oldestDueSince: Date?
    /// The write-ahead log's size in bytes, where the backend has one.
    public var walBytes: Int64?

    public init(byState: [MessageState: Int], held: [HeldReason: Int], oldestDueSince: Date?, walBytes: Int64?) {
        self.byState = byState
        self.held = held
        self.oldestDueSince = oldestDueSince
        self.walBytes = walBytes
    }
}

/// Transitions recorded after an event id, by target state and reason, for counters that the
/// metrics endpoint advances at each scrape.
public struct TransitionCounts: Sendable, Equatable {
    public struct Key: Hashable, Sendable {
        public var toState: String
        /// The event's reason, or "none".
        public var reason: String

        public init(toState: String, reason: String) {
            self.toState = toState
            self.reason = reason
        }
    }

    public var counts: [Key: Int]
    /// The newest event counted; the next reading starts after it.
    public var lastEventID: Int64

    public init(counts: [Key: Int], lastEventID: Int64) {
        self.counts = counts
        self.lastEventID = lastEventID
    }
}
