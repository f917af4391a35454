import Foundation

/// A due message as the claim rules see it: ids, times and counts, never the body.
public struct ClaimCandidate: Sendable, Equatable {
    public var id: Int64
    public var orgID: String
    /// The user the message was queued for: a number re-provisioned to someone else never
    /// sends the earlier owner's texts.
    public var userID: String?
    public var from: String
    public var to: String
    public var kind: MessageKind
    public var segments: Int
    /// `queued` or `scheduled`: where the claim moves it from.
    public var state: MessageState
    public var heldReason: HeldReason?
    public var notBefore: Date
    public var expiresAt: Date?
    /// Segments taken from the user's credits at an earlier claim; nil when it was never claimed.
    public var creditsCharged: Int?
    /// When this org's earlier held-kind texts to this number went out (or, still in flight, were
    /// claimed), this claim's own earlier picks included; filled only when a frequency cap counts them.
    public var recentSends: [Date] = []
    /// When the user's last other opt-in request to this contact went out (or, in flight, was
    /// claimed), this claim's own picks included; filled only for opt-in requests (`needsOptInHistory`).
    public var lastOptInRequest: Date?

    public init(
        id: Int64, orgID: String, userID: String?, from: String, to: String, kind: MessageKind, segments: Int,
        state: MessageState = .queued, heldReason: HeldReason? = nil, notBefore: Date, expiresAt: Date? = nil,
        creditsCharged: Int? = nil, recentSends: [Date] = []
    ) {
        self.id = id
        self.orgID = orgID
        self.userID = userID
        self.from = from
        self.to = to
        self.kind = kind
        self.segments = segments
        self.state = state
        self.heldReason = heldReason
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.creditsCharged = creditsCharged
        self.recentSends = recentSends
    }
}

/// What the sending policy (pause, released sender, windows, rate caps) says of a candidate that
/// has consent, credits and time left.
public enum DispatchVerdict: Sendable, Equatable {
    case send
    /// `detail` explains the hold in its event when the reason alone would not.
    case hold(until: Date, reason: HeldReason, detail: String? = nil)
    /// An earlier text between the same sender and recipient is still in flight: this one waits
    /// its turn, untouched and still due; the end of that post wakes the dispatcher.
    case wait
}

/// What a claim does with one due message.
public enum ClaimVerdict: Sendable, Equatable {
    /// Post it now; `charge` segments come off the sending user's credits (0: free or unmetered).
    case send(charge: Int)
    case hold(until: Date, reason: HeldReason, detail: String? = nil)
    case expire(detail: String)
    /// A journey whose recipient's consent lapsed since ingest waits for it again.
    case awaitConsent(detail: String)
    /// Consent refused since ingest: the message is canceled with this reason.
    case withdraw(EventReason, detail: String)
    /// Waits behind an earlier text to the same recipient from the same sender: left as it is.
    case wait
}

/// The rules a claim applies, in order: consent again (a STOP since ingest always wins), expiry,
/// an opt-in request's spacing from the last one that went, credits (before the policy, so a
/// text nobody can pay for takes no rate slot), then the sending policy, which also makes a
/// conversation's next text wait while an earlier one is in flight. No hold ends after the
/// text's `expires_at`. See docs/states.md and docs/consent.md.
public enum ClaimRules {
    /// Whether the claim must look up the recipient's consent.
    public static func needsConsent(_ candidate: ClaimCandidate) -> Bool { candidate.kind.needsConsent }

    /// Whether the claim must look up when the user's last opt-in request to this contact went out.
    public static func needsOptInHistory(_ candidate: ClaimCandidate) -> Bool { candidate.kind == .optInRequest }

    /// - Parameters:
    ///   - consent: the recipient's consent now; nil when `needsConsent` is false.
    ///   - creditsLeft: the sending user's credits left in this claim; nil when not metered or not
    ///     looked up (`CreditRule.charge` is 0).
    ///   - policy: the sending policy, called last and only for a message that may otherwise go,
    ///     since it may reserve a rate slot.
    public static func decide(
        _ candidate: ClaimCandidate, consent: ConsentState?, creditsLeft: Int?, now: Date,
        policy: (ClaimCandidate) -> DispatchVerdict
    ) -> ClaimVerdict {
        if let consent {
            let detail = "the recipient's consent is \(consent.rawValue) at send time"
            switch ConsentGate.verdict(kind: candidate.kind, consent: consent) {
            case .proceed: break
            case .awaitConsent: return .awaitConsent(detail: detail)
            case let .refuse(state): return .withdraw(state == .optedOut ? .optedOut : .noConsent, detail: detail)
            }
        }
        if let expiresAt = candidate.expiresAt, expiresAt <= now {
            return .expire(detail: "expires_at passed before it could be sent")
        }
        // Checked at ingest against when earlier requests were made; checked here against when they
        // went, since a window or a rate slot can hold one for hours: two made 12 hours apart could
        // otherwise both go at the same window's opening.
        if let last = candidate.lastOptInRequest, needsOptInHistory(candidate), now < last + optInSpacing.minimumSpacing {
            return hold(candidate, until: last + optInSpacing.minimumSpacing, reason: .optinSpacing,
                        detail: "this user's last opt-in request to this contact went out at \(Timestamp.format(last))")
        }
        let charge = CreditRule.charge(candidate)
        if charge > 0, let left = creditsLeft, left < charge {
            return hold(candidate, until: now + CreditRule.recheck, reason: .noCredits,
                        detail: CreditRule.holdDetail(user: candidate.userID ?? "", left: left, needs: charge))
        }
        switch policy(candidate) {
        case .send: return .send(charge: creditsLeft == nil ? 0 : charge)
        case let .hold(until, reason, detail): return hold(candidate, until: until, reason: reason, detail: detail)
        case .wait: return .wait
        }
    }

    /// The opt-in request limit whose spacing the claim enforces (docs/consent.md).
    static let optInSpacing = OptInRequestPolicy()

    /// No hold outlasts the text: one that would end after `expires_at` ends there, and the claim
    /// then finds the text expired. Else a text held at 16:01 by a window that opens at 08:00, and
    /// expiring at 18:00, would show as waiting all night and expire only at 08:00.
    static func hold(_ candidate: ClaimCandidate, until: Date, reason: HeldReason, detail: String?) -> ClaimVerdict {
        guard let expiresAt = candidate.expiresAt, expiresAt < until else { return .hold(until: until, reason: reason, detail: detail) }
        return .hold(until: expiresAt, reason: reason,
                     detail: (detail.map { $0 + "; " } ?? "") + "the hold would end at \(Timestamp.format(until)), after expires_at")
    }
}
