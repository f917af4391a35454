import Foundation

/// The sending policy a claim asks last (OpenSMTPD's queue/scheduler split): whether a due
/// message that has consent, credits and time left goes now or waits, and until when. Pure but
/// for the rate limiter's reservations, which the caller keeps between claims.
public struct SendPolicy: Sendable {
    public var directory: Directory
    public var windows: WindowCalculator

    /// How long a paused org or sender waits before its messages are looked at again.
    public static let pauseRecheck: TimeInterval = 60
    /// A released number never comes back, so its texts are looked at hourly, only to let them
    /// expire on time or see a cancel.
    public static let releasedRecheck: TimeInterval = 3600
    /// A window only a configuration change can open is looked at hourly, not every minute.
    public static let closedRecheck: TimeInterval = 3600

    public init(directory: Directory, windows: WindowCalculator) {
        self.directory = directory
        self.windows = windows
    }

    public func decide(_ candidate: ClaimCandidate, now: Date, limiter: inout SenderRateLimiter) -> DispatchVerdict {
        if directory.organization(candidate.orgID)?.paused == true {
            return .hold(until: now + Self.pauseRecheck, reason: .orgPaused)
        }
        // First: no window or rate will ever let a released number send, and `why` should say so.
        let sender = directory.sender(number: candidate.from)
        guard let sender, sender.orgID == candidate.orgID, candidate.userID.map({ $0 == sender.userID }) ?? true else {
            return .hold(until: min(now + Self.releasedRecheck, candidate.expiresAt ?? .distantFuture), reason: .senderReleased)
        }
        // The window is checked again at claim time, so a backlog never spills past its end.
        if candidate.kind.isHeldBySendingWindow, let organization = directory.organization(candidate.orgID),
           case let .success(number) = PhoneNumber.parse(candidate.to) {
            switch windows.evaluate(at: now, window: organization.window, to: number, kind: candidate.kind, recentSends: candidate.recentSends) {
            case .allowed: break
            case let .deferred(until, reason):
                return .hold(until: until, reason: reason, detail: capDetail(candidate, to: number, now: now))
            case let .never(reason): return .hold(until: now + Self.closedRecheck, reason: reason)
            }
        }
        if sender.paused {
            return .hold(until: now + Self.pauseRecheck, reason: .senderPaused)
        }
        // A text held back to its rate slot is in its number's line already: it goes as soon as what
        // was sent allows, however late it comes back, and a backlog of late ones never all at once.
        switch limiter.admit(sender: candidate.from, segments: candidate.segments, rate: sender.rate, now: now,
                             heldToSlot: candidate.heldReason == .senderRate, ahead: candidate.kind.goesAheadOfHeldTexts) {
        case .now: return .send
        case let .later(until, reason): return .hold(until: until, reason: reason)
        }
    }

    /// How far back the claim must look up a candidate's earlier sends: the period of its state's
    /// frequency cap, or nil, for almost every number, when no cap counts them.
    public func lookback(_ candidate: ClaimCandidate) -> TimeInterval? {
        windows.frequencyCapRule(kind: candidate.kind, to: candidate.to)?.frequencyCap?.period
    }

    /// Says so when the recipient's frequency cap is what holds a text, since the held reason
    /// `state_rule` alone reads like the state's hours.
    private func capDetail(_ candidate: ClaimCandidate, to number: PhoneNumber, now: Date) -> String? {
        guard !candidate.recentSends.isEmpty, let rule = windows.rules.rule(for: number.subdivision), let cap = rule.frequencyCap,
              cap.nextAllowed(at: now, after: candidate.recentSends) != nil
        else { return nil }
        let counted = candidate.recentSends.filter { $0 > now - cap.period }.count
        return "\(rule.name) frequency cap: \(counted) held-kind texts from this organization to this number in the last "
            + "\(cap.perHours) h, at most \(cap.messages) allowed (subjects are not told apart, so all count)"
    }
}
