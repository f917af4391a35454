import HeraldCore

/// What `requestOptIn` did.
public enum OptInRequestResult: Sendable, Equatable {
    case queued(messageID: Int64, placement: Placement)
    case refused(OptInRequestPolicy.Refusal)
}
