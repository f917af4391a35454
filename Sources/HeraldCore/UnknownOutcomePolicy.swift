import Foundation

/// What Herald does when a post may have reached the carrier and no answer came back: a timeout
/// or a dropped connection after the request was sent, a gateway that gave up (502/504), or a
/// message found `sending` at start (docs/carrier.md, "Unknown outcomes"). Re-posting blindly
/// sends the text twice on any gateway that ignores `Idempotency-Key`, which most do.
public enum UnknownOutcomePolicy: Sendable, Equatable {
    /// Ask the carrier's message list first, `delay` after the post, when the list shows it: found,
    /// the text is `sent` with that sid; not found, it is posted again with the same key.
    case lookup(delay: TimeInterval)
    /// Post again with the same idempotency key: safe only on a gateway that dedupes by it.
    case repost
    /// Hold the message `unknown_outcome` for an operator.
    case hold

    /// How long a just-created message may take to show in the carrier's list.
    public static let defaultLookupDelay: TimeInterval = 10

    /// The `[carrier] unknown_outcome` values.
    public static let names = ["lookup", "repost", "hold"]

    public init?(name: String, lookupDelay: TimeInterval = Self.defaultLookupDelay) {
        switch name {
        case "lookup": self = .lookup(delay: lookupDelay)
        case "repost": self = .repost
        case "hold": self = .hold
        default: return nil
        }
    }

    /// A held message waits for its operator: never due by itself.
    public static let heldUntil = Date(timeIntervalSince1970: 253_402_300_799) // 9999-12-31T23:59:59Z

    /// Where an unknown outcome puts the message: `scheduled` until `notBefore` for `reason`, or
    /// nil for `repost`, which retries it like any failed post.
    public func placement(now: Date, case what: String) -> (notBefore: Date, reason: HeldReason, detail: String)? {
        switch self {
        case let .lookup(delay):
            (now + delay, .outcomeLookup, "unknown outcome: \(what); the carrier is asked before any post again")
        case .hold:
            (Self.heldUntil, .unknownOutcome,
             "unknown outcome: \(what); held for an operator: heraldctl retry posts it again, heraldctl cancel drops it")
        case .repost:
            nil
        }
    }
}
