import Foundation

/// What the carrier says of one message it took, asked by sid (`GET …/Messages/{sid}.json`):
/// reconciliation's question for a text still `sent`.
public enum CarrierLookup: Sendable, Equatable {
    case found(status: String, errorCode: Int?, segments: Int?)
    /// The carrier does not know the sid (404).
    case notFound
    /// 429 or error 20429: ask again after `retryAfter` seconds, or later.
    case throttled(retryAfter: TimeInterval?, detail: String)
    /// No usable answer (a transport error, a 5xx, a body without a status): ask again later.
    case failed(detail: String)
}

/// A search of the carrier's message list for a post whose answer was lost
/// (`GET …/Messages.json?To=…&From=…&DateSent>=…`, paged): did the carrier take it?
public enum CarrierSearch: Sendable, Equatable {
    case found(sid: String, status: String, segments: Int?)
    /// Not in the list after looking at `searched` messages between the two numbers.
    case notFound(searched: Int)
    case throttled(retryAfter: TimeInterval?, detail: String)
    case failed(detail: String)
}
