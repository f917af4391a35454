/// Why a non-final message is waiting, as `heraldctl why` shows it (SPEC §4).
public enum HeldReason: String, Sendable, CaseIterable, Codable {
    case orgWindow = "org_window"
    case recipientQuietHours = "recipient_quiet_hours"
    case stateRule = "state_rule"
    case awaitingConsent = "awaiting_consent"
    case optinSpacing = "optin_spacing"
    case noCredits = "no_credits"
    case orgPaused = "org_paused"
    case senderPaused = "sender_paused"
    case senderRate = "sender_rate"
    case carrierBackoff = "carrier_backoff"
    case retryBackoff = "retry_backoff"
    case sendAt = "send_at"
}
