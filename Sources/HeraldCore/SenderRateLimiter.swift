import Foundation

/// Per-sender-number throughput cap (docs/carrier.md), as a generic cell rate algorithm: each number has a
/// theoretical arrival time that advances by cost/rate per send. A send that would run ahead of it
/// gets the exact instant its slot opens, so a deferred backlog drains at the cap without retries.
public struct SenderRateLimiter: Sendable {
    private var nextFree: [String: Date] = [:]
    private var blockedUntil: [String: Date] = [:]
    /// How far ahead of its schedule a number may run: a burst of one second's allowance.
    public var burst: TimeInterval

    public init(burst: TimeInterval = 1) {
        self.burst = burst
    }

    public enum Admission: Sendable, Equatable {
        case now
        case later(Date, HeldReason)
    }

    /// Reserves a slot for `segments` from `sender` and says when it may go.
    /// - Parameter holdsReservation: the message was already deferred to its slot by an earlier
    ///   call; it goes now (unless the sender is blocked) instead of reserving a second slot.
    public mutating func admit(sender: String, segments: Int, rate: Double, now: Date, holdsReservation: Bool = false) -> Admission {
        if let until = blockedUntil[sender] {
            if until > now { return .later(until, .carrierBackoff) }
            blockedUntil[sender] = nil
        }
        guard rate > 0, rate.isFinite, !holdsReservation else { return .now }
        let cost = Double(max(segments, 1)) / rate
        let theoretical = max(nextFree[sender] ?? now, now)
        let tolerance = max(burst - cost, 0)
        nextFree[sender] = theoretical + cost
        if theoretical.timeIntervalSince(now) <= tolerance { return .now }
        return .later(theoretical.addingTimeInterval(-tolerance), .senderRate)
    }

    /// A number just taken over from another instance starts at its steady rate, without the
    /// burst allowance (the instance that held it may have spent it a moment ago), and after the
    /// slots that instance gave the texts it held back (`reservedUntil`), which go at those slots.
    public mutating func startPaced(sender: String, now: Date, reservedUntil: Date? = nil) {
        let paced = max(now, reservedUntil ?? now).addingTimeInterval(burst)
        nextFree[sender] = max(nextFree[sender] ?? paced, paced)
    }

    /// A 429 pauses the sender, not the queue.
    public mutating func block(sender: String, until: Date) {
        blockedUntil[sender] = max(blockedUntil[sender] ?? until, until)
    }

    /// Forget numbers idle for a while, so the table does not grow with every sender ever seen.
    public mutating func prune(now: Date) {
        nextFree = nextFree.filter { $0.value > now }
        blockedUntil = blockedUntil.filter { $0.value > now }
    }
}
