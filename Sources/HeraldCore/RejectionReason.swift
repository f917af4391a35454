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
    /// The recipient has not opted in to this organization's texts (or opted out).
    case noConsent(number: String, consent: ConsentState)
    /// An opt-in request the limit refuses: opted out, already in, 3 sent, or under 12 h apart.
    case optInRefused(OptInRequestPolicy.Refusal)
    /// `system` texts are Herald's own answers to a contact's keyword; producers cannot send them.
    case reservedKind(MessageKind)
    /// `template` names no template of the organization.
    case unknownTemplate(org: String, template: String)
    /// The template uses a variable neither `variables` nor Herald supplies: never sent with a blank.
    case templateVariableMissing(template: String, variable: String)
    /// `variables` is not a JSON object of strings and numbers.
    case badVariables(String)
    /// A row gives both `body` and `template`: which text was meant is unclear.
    case bodyAndTemplate

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
        case .noConsent: "no_consent"
        case let .optInRefused(refusal): refusal.code
        case .reservedKind: "reserved_kind"
        case .unknownTemplate: "unknown_template"
        case .templateVariableMissing: "template_variable_missing"
        case .badVariables: "bad_variables"
        case .bodyAndTemplate: "body_and_template"
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
        case let .noConsent(number, consent):
            consent == .optedOut
                ? "\(number) opted out of this organization's texts; only their own START/YES reply or a staff consent record changes that"
                : "\(number) has not opted in to this organization's texts; send an opt-in request (kind opt_in_request) or record consent with heraldctl consent set"
        case let .optInRefused(refusal):
            "opt-in request refused: \(refusal.description)"
        case let .reservedKind(kind):
            "kind \(kind.rawValue) is reserved for Herald's own answers to a contact's reply"
        case let .unknownTemplate(org, template):
            "organization \"\(org)\" has no template \"\(template)\" (heraldctl template list --org \(org))"
        case let .templateVariableMissing(template, variable):
            "template \"\(template)\" needs {\(variable)}: give it in the row's variables (a JSON object) or record it on the contact"
        case let .badVariables(problem):
            "variables: \(problem)"
        case .bodyAndTemplate:
            "the row gives both body and template; give one"
        }
    }
}
