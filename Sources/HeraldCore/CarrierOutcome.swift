import Foundation

/// What one POST to the carrier came to, classified as docs/carrier.md says.
public enum CarrierOutcome: Sendable, Equatable {
    /// 2xx: the carrier took the message. `sid` is kept exactly as sent.
    case accepted(sid: String, status: String, segments: Int?)
    /// 5xx, a timeout or a connection error: try again with the same idempotency key.
    /// `maybeDelivered` is true when the request may have reached the carrier (a timeout after sending).
    case retryable(detail: String, httpStatus: Int?, maybeDelivered: Bool)
    /// 429 or error 20429 (`account`: the whole account backs off) or 30001 (that sender's queue
    /// at the carrier overflowed: the sender backs off), honouring Retry-After (seconds) when given.
    case throttled(retryAfter: TimeInterval?, detail: String, account: Bool = true)
    /// 4xx with an error code: the carrier will never take this message.
    case permanent(errorCode: Int?, message: String, httpStatus: Int)

    public var summary: String {
        switch self {
        case let .accepted(sid, status, _): "accepted sid=\(sid) status=\(status)"
        case let .retryable(detail, status, _): "retryable \(status.map { "HTTP \($0) " } ?? "")\(detail)"
        case let .throttled(after, detail, _): "throttled retry_after=\(after.map { "\($0)s" } ?? "-") \(detail)"
        case let .permanent(code, message, status): "permanent HTTP \(status) error_code=\(code.map(String.init) ?? "-") \(message)"
        }
    }
}
