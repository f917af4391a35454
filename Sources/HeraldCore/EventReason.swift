/// Why a message moved, as its event row's `reason` (and, for a final state, `messages.reason`)
/// says. The codes are part of the public SQL contract; see docs/states.md.
public enum EventReason: Sendable, Hashable, CustomStringConvertible {
    /// Held for later, with the reason `heraldctl why` explains.
    case held(HeldReason)
    /// Refused at intake; `code` is `RejectionReason.code`.
    case rejected(code: String)
    /// A text Herald wrote itself, named for what it answers or asks.
    case ownText(OwnTextPurpose)
    /// Left `sending` by an earlier run and queued to be posted again.
    case requeuedAfterCrash
    /// An operator sent a final message again (`heraldctl retry`).
    case operatorRetry
    /// An operator stopped a message Herald still held (`heraldctl cancel`).
    case operatorCancel
    /// `expires_at` passed before the text could go.
    case expired
    /// The recipient opted out: what waited for them is withdrawn.
    case optedOut
    /// Consent is missing at send time (and the kind cannot wait for it).
    case noConsent
    /// The recipient opted in: what waited for their consent is released.
    case optedIn
    /// An opt-in request made moot because the recipient opted in before it went.
    case alreadyOptedIn
    /// The carrier reported a status, by callback.
    case statusCallback
    /// The carrier reported a status when Herald looked the text up by sid (reconciliation).
    case reconciled
    /// A text the carrier still calls `sent` at the give-up age stays so for good.
    case reconcileEnded
    /// The carrier refused the text, or Herald gave up retrying it.
    case carrierError

    public var code: String {
        switch self {
        case let .held(reason): reason.rawValue
        case let .rejected(code): code
        case let .ownText(purpose): purpose.rawValue
        case .requeuedAfterCrash: "reconcile"
        case .operatorRetry: "retry"
        case .operatorCancel: "canceled"
        case .expired: "expired"
        case .optedOut: "opted_out"
        case .noConsent: "no_consent"
        case .optedIn: "opted_in"
        case .alreadyOptedIn: "already_opted_in"
        case .statusCallback: "status_callback"
        case .reconciled: "reconciled"
        case .reconcileEnded: "reconcile_ended"
        case .carrierError: "carrier_error"
        }
    }

    public var description: String { code }
}

/// Why Herald writes a text of its own. The raw values are event reasons.
public enum OwnTextPurpose: String, Sendable, Hashable, CaseIterable {
    case optInRequest = "optin_request"
    case optInConfirmation = "optin_confirmation"
    case optOutConfirmation = "optout_confirmation"
    case helpAnswer = "help_answer"
    case autoReply = "auto_reply"

    /// The organization's text for it, when the organization has one (an auto-reply is the user's own).
    public var consentText: ConsentTexts.Purpose? {
        switch self {
        case .optInRequest: .optInRequest
        case .optInConfirmation: .optInConfirmation
        case .optOutConfirmation: .optOutConfirmation
        case .helpAnswer: .help
        case .autoReply: nil
        }
    }
}
