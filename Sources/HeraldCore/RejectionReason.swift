/// Why an outbox row became `rejected` instead of a message. `code` is stored in `messages.reason`;
/// `description` is the sentence an operator or producer reads.
public enum RejectionReason: Error, Sendable, Equatable, CustomStringConvertible {
    case missingField(String)
    case invalidNumber(input: String, problem: String)
    case emptyBody
    case bodyTooLong(characters: Int)
    case unknownOrganization(String)
    case unknownSender(org: String, sender: String)
    case badKind(String)
    case badTimestamp(field: String, value: String)
    case expiredBeforeIngest(expiresAt: String)
    case duplicateIdempotencyKey(key: String, existingMessage: Int64)
    case noSendingWindow(reason: HeldReason, horizonDays: Int)

    public var code: String {
        switch self {
        case .missingField: "missing_field"
        case .invalidNumber: "invalid_number"
        case .emptyBody: "empty_body"
        case .bodyTooLong: "body_too_long"
        case .unknownOrganization: "unknown_org"
        case .unknownSender: "unknown_sender"
        case .badKind: "bad_kind"
        case .badTimestamp: "bad_timestamp"
        case .expiredBeforeIngest: "expired"
        case .duplicateIdempotencyKey: "duplicate_idempotency_key"
        case .noSendingWindow: "no_sending_window"
        }
    }

    public var description: String {
        switch self {
        case let .missingField(field):
            "outbox column \(field) is NULL; it is required"
        case let .invalidNumber(input, problem):
            "to_number \"\(input)\": \(problem)"
        case .emptyBody:
            "body is empty"
        case let .bodyTooLong(characters):
            "body has \(characters) characters; Herald sends at most \(Segmenter.maximumCharacters)"
        case let .unknownOrganization(org):
            "organization \"\(org)\" is not configured"
        case let .unknownSender(org, sender):
            "sender \"\(sender)\" is neither a user nor an active number of organization \"\(org)\""
        case let .badKind(kind):
            "kind \"\(kind)\" is not one of \(MessageKind.allCases.map(\.rawValue).joined(separator: ", "))"
        case let .badTimestamp(field, value):
            "\(field) \"\(value)\" is not an ISO 8601 time (2026-11-23T14:00:00Z, with offset or Z) or Unix seconds"
        case let .expiredBeforeIngest(expiresAt):
            "expires_at \(expiresAt) had already passed when the row was ingested"
        case let .duplicateIdempotencyKey(key, existing):
            "idempotency_key \"\(key)\" was already used by message \(existing)"
        case let .noSendingWindow(reason, days):
            "no instant in the next \(days) days satisfies the organization window, the recipient's quiet hours and the state rules together (\(reason.rawValue) cannot be met); widen the organization's window"
        }
    }
}
