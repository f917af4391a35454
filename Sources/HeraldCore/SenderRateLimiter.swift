import Foundation

/// Per-sender-number throughput cap (docs/carrier.md), as a generic cell rate algorithm over what
/// is actually let go: each number has a theoretical arrival time that advances by cost/rate per
/// send, and no send may run more than a burst ahead of it. A text that may not go yet is given a
/// slot in its number's line and held to it, so a deferred backlog drains at the cap without
/// retries; when it comes back it is judged again against what was sent, however late it is.
public struct SenderRateLimiter: Sendable {
    /// Per number, the theoretical arrival time of the texts let go.
    private var paced: [String: Date] = [:]
    /// Per number, the end of the line of slots given to held texts: where a newcomer queues.
    private var lineEnd: [String: Date] = [:]
    /// Per number, the end of the short line of texts that go ahead of the held ones (`ahead`),
    /// for those that find the number's burst spent.
    private var aheadEnd: [String: Date] = [:]
    private var blockedUntil: [String: Date] = [:]
    /// Until when the carrier asked the whole account to slow down (a 429).
    private var accountBlockedUntil: Date?
    /// How far ahead of its schedule a number may run: a burst of one second's allowance.
    public var burst: TimeInterval
    /// Slots are stored to the millisecond and instants are doubles: a text exactly at the edge of
    /// its allowance, or back at its slot, may seem this much early.
    static let precision: TimeInterval = 0.005

    public init(burst: TimeInterval = 1) {
        self.burst = burst
    }

    public enum Admission: Sendable, Equatable {
        case now
        case later(Date, HeldReason)
    }

    /// Says whether `segments` from `sender` may go now, or the slot to hold them to.
    /// - Parameters:
    ///   - heldToSlot: the text was held back to a slot by an earlier call. It does not queue
    ///     again behind the line (it is in it): it goes as soon as what was sent allows, so texts
    ///     whose slots passed while nobody sent (a stalled dispatcher, a number taken over from a
    ///     dead instance) go at the cap at once, neither all together nor after the line.
    ///   - ahead: the text goes before those given slots in the line (Herald's own answers,
    ///     conversations): as soon as what was sent allows, or, if the burst is spent, at the next
    ///     slot of a short line of its own. The held text whose slot it took is the one that gives
    ///     way: back at its slot and refused, it joins the end of the line. The cap still holds,
    ///     since every text let go, ahead or not, advances the same schedule.
    public mutating func admit(
        sender: String, segments: Int, rate: Double, now: Date, heldToSlot: Bool = false, ahead: Bool = false
    ) -> Admission {
        if let until = accountBlockedUntil {
            if until > now { return .later(until, .carrierBackoff) }
            accountBlockedUntil = nil
        }
        if let until = blockedUntil[sender] {
            if until > now { return .later(until, .carrierBackoff) }
            blockedUntil[sender] = nil
        }
        guard rate > 0, rate.isFinite else { return .now }
        let cost = Double(max(segments, 1)) / rate
        let tolerance = max(burst - cost, 0)
        let sent = max(paced[sender] ?? now, now)
        if ahead {
            let aheadLine = max(aheadEnd[sender] ?? sent, sent)
            let start = heldToSlot ? sent : aheadLine
            if start.timeIntervalSince(now) <= tolerance + Self.precision {
                paced[sender] = sent + cost
                return .now
            }
            aheadEnd[sender] = aheadLine + cost
            return .later(aheadLine.addingTimeInterval(-tolerance), .senderRate)
        }
        // A newcomer queues behind the texts already given slots, so it takes none of their rate.
        let line = max(lineEnd[sender] ?? sent, sent)
        let start = heldToSlot ? sent : line
        if start.timeIntervalSince(now) <= tolerance + Self.precision {
            paced[sender] = sent + cost
            lineEnd[sender] = max(heldToSlot ? line : line + cost, sent + cost)
            return .now
        }
        lineEnd[sender] = line + cost
        return .later(line.addingTimeInterval(-tolerance), .senderRate)
    }

    /// A number just taken over from another instance starts at its steady rate, without the
    /// burst allowance (the instance that held it may have spent it a moment ago), and newcomers,
    /// those that go ahead too, queue after the slots that instance gave the texts it held back
    /// (`reservedUntil`).
    public mutating func startPaced(sender: String, now: Date, reservedUntil: Date? = nil) {
        let steady = now.addingTimeInterval(burst)
        paced[sender] = max(paced[sender] ?? steady, steady)
        let line = max(steady, (reservedUntil ?? now).addingTimeInterval(burst))
        lineEnd[sender] = max(lineEnd[sender] ?? line, line)
        // Which of the reserved slots were ahead of the line is not known here: texts that go ahead
        // queue after all of them too, as they would have behind the ahead texts among them.
        aheadEnd[sender] = max(aheadEnd[sender] ?? line, line)
    }

    /// A 30001 (the sender's queue at the carrier overflowed) pauses the sender, not the queue.
    public mutating func block(sender: String, until: Date) {
        blockedUntil[sender] = max(blockedUntil[sender] ?? until, until)
    }

    /// A 429 or 20429 pauses every sender of the account, not the queue: texts claimed meanwhile
    /// are held `carrier_backoff` until then.
    public mutating func blockAccount(until: Date) {
        accountBlockedUntil = max(accountBlockedUntil ?? until, until)
    }

    /// Forget numbers idle for a while, so the table does not grow with every sender ever seen.
    public mutating func prune(now: Date) {
        paced = paced.filter { $0.value > now }
        lineEnd = lineEnd.filter { $0.value > now }
        aheadEnd = aheadEnd.filter { $0.value > now }
        blockedUntil = blockedUntil.filter { $0.value > now }
        if let until = accountBlockedUntil, until <= now { accountBlockedUntil = nil }
    }
}
