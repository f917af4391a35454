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
