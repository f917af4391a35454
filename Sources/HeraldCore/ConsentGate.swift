/// Whether a message may go to its recipient given the recipient's consent (docs/states.md#message-kinds, docs/consent.md).
/// Applied at ingest and again at claim, so a STOP that arrives in between always wins.
public enum ConsentGate {
    public enum Verdict: Sendable, Equatable {
        case proceed
        /// Conversational and bulk without opt-in, or anything to a contact who opted out.
        case refuse(ConsentState)
        /// A journey to a contact who has not answered yet: wait for their YES.
        case awaitConsent
    }

    public static func verdict(kind: MessageKind, consent: ConsentState) -> Verdict {
        guard kind.needsConsent, consent != .optedIn else { return .proceed }
        if kind == .journey, consent == .unknown { return .awaitConsent }
        return .refuse(consent)
    }
}
