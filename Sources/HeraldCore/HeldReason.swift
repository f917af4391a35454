/// Why a non-final message is waiting, as `heraldctl why` shows it (docs/states.md).
public enum HeldReason: String, Sendable, CaseIterable, Codable {
    case orgWindow = "org_window"
    case recipientQuietHours = "recipient_quiet_hours"
    case stateRule = "state_rule"
    case awaitingConsent = "awaiting_consent"
    case optinSpacing = "optin_spacing"
    case noCredits = "no_credits"
    case orgPaused = "org_paused"
    case senderPaused = "sender_paused"
    case senderReleased = "sender_released"
    case senderRate = "sender_rate"
    case carrierBackoff = "carrier_backoff"
    case retryBackoff = "retry_backoff"
    case sendAt = "send_at"
    /// The last post may have reached the carrier; Herald asks the carrier before posting again.
    case outcomeLookup = "outcome_lookup"
    /// The last post may have reached the carrier; an operator decides (`unknown_outcome = "hold"`).
    case unknownOutcome = "unknown_outcome"
}

extension HeldReason {
    /// What holds the message, in the words `heraldctl why` uses.
    public var explanation: String {
        switch self {
        case .orgWindow: "outside the organization's sending window"
        case .recipientQuietHours: "inside the recipient's quiet hours (local time of the number's area code)"
        case .stateRule: "outside the hours the recipient's state allows"
        case .awaitingConsent: "waiting for the recipient to opt in"
        case .optinSpacing: "waiting for the opt-in request limit (3 per contact, 12 hours apart)"
        case .noCredits: "the sending user has no message credits left"
        case .orgPaused: "the organization is paused (heraldctl resume org …)"
        case .senderPaused: "the sending number is paused (heraldctl resume sender …)"
        case .senderReleased:
            "the sending number was released (heraldctl numbers release); it is never sent from another number: "
                + "it waits until it expires, or cancel it"
        case .senderRate: "the sending number's rate cap (segments per second)"
        case .carrierBackoff: "the carrier asked Herald to slow down or refused the credentials"
        case .retryBackoff: "a failed attempt waits before the next try"
        case .sendAt: "the producer asked for a later send time (send_at)"
        case .outcomeLookup:
            "the last post may have reached the carrier without an answer; Herald asks the carrier before it posts again"
        case .unknownOutcome:
            "the last post may have reached the carrier without an answer; held for an operator: "
                + "heraldctl retry posts it again (a second text if the carrier had it), heraldctl cancel drops it"
        }
    }
}
