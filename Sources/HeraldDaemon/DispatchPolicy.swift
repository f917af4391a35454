import Foundation
import HeraldCore
import HeraldStore
import Synchronization

/// The scheduler's half of a claim (OpenSMTPD's queue/scheduler split): decides from plain values
/// whether a due message goes now or waits, and until when. No I/O.
final class DispatchPolicy: Sendable {
    private struct State {
        var directory: Directory
        var windows: WindowCalculator
        var limiter = SenderRateLimiter()
    }

    private let state: Mutex<State>
    /// How long a paused org or sender waits before its messages are looked at again.
    static let pauseRecheck: TimeInterval = 60
    /// A released number never comes back (SPEC §2), so its texts are looked at hourly, only to
    /// let them expire on time or see a cancel.
    static let releasedRecheck: TimeInterval = 3600

    init(directory: Directory, windows: WindowCalculator = WindowCalculator()) {
        state = Mutex(State(directory: directory, windows: windows))
    }

    var directory: Directory { state.withLock { $0.directory } }
    /// The sending windows in force, for texts the admin socket queues itself (opt-in requests).
    var windows: WindowCalculator { state.withLock { $0.windows } }

    func update(directory: Directory) {
        state.withLock { $0.directory = directory }
    }

    /// A reloaded configuration: new organizations, senders and state rules at once.
    func update(directory: Directory, windows: WindowCalculator) {
        state.withLock {
            $0.directory = directory
            $0.windows = windows
        }
    }

    func decide(_ candidate: ClaimCandidate, now: Date) -> ClaimVerdict {
        state.withLock { state in
            if state.directory.organization(candidate.orgID)?.paused == true {
                return .hold(until: now + Self.pauseRecheck, reason: .orgPaused)
            }
            // First: no window or rate will ever let a released number send, and `why` should say so.
            let sender = state.directory.sender(number: candidate.from)
            guard let sender, sender.orgID == candidate.orgID, candidate.userID.map({ $0 == sender.userID }) ?? true else {
                return .hold(until: min(now + Self.releasedRecheck, candidate.expiresAt ?? .distantFuture), reason: .senderReleased)
            }
            // The window is checked again at claim time, so a backlog never spills past its end.
            if candidate.kind.isHeldBySendingWindow, let organization = state.directory.organization(candidate.orgID),
               case let .success(number) = PhoneNumber.parse(candidate.to) {
                let decision = state.windows.evaluate(
                    at: now, window: organization.window, to: number, kind: candidate.kind, recentSends: candidate.recentSends
                )
                switch decision {
                case .allowed: break
                case let .deferred(until, reason):
                    return .hold(until: until, reason: reason, detail: capDetail(candidate, to: number, now: now, windows: state.windows))
                // Only a configuration change can open such a window: look again hourly, not every minute.
                case let .never(reason): return .hold(until: now + 3600, reason: reason)
                }
            }
            if sender.paused {
                return .hold(until: now + Self.pauseRecheck, reason: .senderPaused)
            }
            let admission = state.limiter.admit(
                sender: candidate.from, segments: candidate.segments, rate: sender.rate, now: now,
                holdsReservation: candidate.heldReason == .senderRate
            )
            switch admission {
            case .now: return .send
            case let .later(until, reason): return .hold(until: until, reason: reason)
            }
        }
    }

    /// How far back the claim must look up a candidate's earlier sends: the period of its state's
    /// frequency cap, or nil, for almost every number, when no cap counts them.
    func lookback(_ candidate: ClaimCandidate) -> TimeInterval? {
        state.withLock { $0.windows }.frequencyCapRule(kind: candidate.kind, to: candidate.to)?.frequencyCap?.period
    }

    /// Says so when the recipient's frequency cap is what holds a text, since the held reason
    /// `state_rule` alone reads like the state's hours.
    private func capDetail(_ candidate: ClaimCandidate, to number: PhoneNumber, now: Date, windows: WindowCalculator) -> String? {
        guard !candidate.recentSends.isEmpty, let rule = windows.rules.rule(for: number.subdivision), let cap = rule.frequencyCap,
              cap.nextAllowed(at: now, after: candidate.recentSends) != nil
        else { return nil }
        let counted = candidate.recentSends.filter { $0 > now - cap.period }.count
        return "\(rule.name) frequency cap: \(counted) held-kind texts from this organization to this number in the last "
            + "\(cap.perHours) h, at most \(cap.messages) allowed (subjects are not told apart, so all count)"
    }

    /// A 429 pauses that sender, not the queue (SPEC §8).
    func throttle(sender: String, until: Date) {
        state.withLock { $0.limiter.block(sender: sender, until: until) }
    }

    func prune(now: Date) {
        state.withLock { $0.limiter.prune(now: now) }
    }
}
