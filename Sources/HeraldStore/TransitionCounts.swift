import Foundation

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
