/// Where a message is in its life (docs/states.md). Raw values are the public SQL contract.
public enum MessageState: String, Sendable, CaseIterable, Codable {
    case queued
    case scheduled
    case awaitingConsent = "awaiting_consent"
    case sending
    case sent
    case delivered
    case undelivered
    case failed
    case rejected
    case canceled
    case expired

    public var isFinal: Bool {
        switch self {
        case .delivered, .undelivered, .failed, .rejected, .canceled, .expired: true
        case .queued, .scheduled, .awaitingConsent, .sending, .sent: false
        }
    }

    /// Final states an operator may send again (`heraldctl retry`): the carrier or time said no,
    /// not the input. A rejected row is fixed by its producer; a canceled one was stopped on purpose.
    public var isRetryable: Bool {
        switch self {
        case .failed, .undelivered, .expired: true
        default: false
        }
    }

    /// States the dispatcher may claim once `not_before` has passed.
    public static let claimable: [MessageState] = [.queued, .scheduled]

    /// The status an end user sees, as membership systems show it (docs/states.md).
    public var displayStatus: String {
        switch self {
        case .queued, .scheduled, .awaitingConsent, .sending: "in queue"
        case .sent: "sent"
        case .delivered: "delivered"
        case .undelivered: "undeliverable"
        case .failed, .rejected, .expired, .canceled: "failed"
        }
    }

    /// Whether the state machine (docs/states.md) allows `self -> next`.
    public func canMove(to next: MessageState) -> Bool {
        // An operator's retry is the one way out of a final state.
        if isFinal { return isRetryable && next == .queued }
        switch (self, next) {
        // Canceling and expiring stop a message Herald still holds; once a POST is in flight
        // (sending) or the carrier took it (sent), only the carrier's answer moves it on.
        // (sending -> expired is the exception: a retry that would land past expires_at.)
        case (.sent, .canceled), (.sent, .expired), (.sending, .canceled): return false
        case (_, .canceled), (_, .expired): return true
        case (.queued, .sending), (.scheduled, .sending): return true
        case (.queued, .scheduled), (.scheduled, .queued), (.scheduled, .scheduled): return true
        case (.awaitingConsent, .queued), (.awaitingConsent, .scheduled): return true
        // Consent checked again at claim: a journey whose recipient's consent lapsed waits again.
        case (.queued, .awaitingConsent), (.scheduled, .awaitingConsent): return true
        case (.sending, .sent), (.sending, .scheduled), (.sending, .failed): return true
        // Reconciliation after a crash: the POST's fate is unknown, so it is made again.
        case (.sending, .queued): return true
        // A status callback may overtake the recording of the POST's own answer.
        case (.sending, .delivered), (.sending, .undelivered): return true
        // The carrier's report of an earlier post may find the message waiting to be posted again
        // (its answer was lost, or the run that posted it crashed): the carrier has it after all.
        case (.queued, .sent), (.queued, .delivered), (.queued, .undelivered), (.queued, .failed),
             (.scheduled, .sent), (.scheduled, .delivered), (.scheduled, .undelivered), (.scheduled, .failed):
            return true
        case (.sent, .delivered), (.sent, .undelivered), (.sent, .failed): return true
        // Reconciliation gave up: the text stays sent, and its event says so.
        case (.sent, .sent): return true
        default: return false
        }
    }
}
