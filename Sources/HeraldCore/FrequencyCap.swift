import Foundation

extension StateRule.FrequencyCap {
    /// The rolling period the cap counts over.
    public var period: TimeInterval { TimeInterval(perHours) * 3600 }

    /// The earliest instant ≥ `instant` at which one more text keeps every rolling period at
    /// `messages` texts or fewer, given when earlier texts went out (any order); nil when one may
    /// go at `instant`.
    ///
    /// A text sent at s counts for the periods (t − period, t] containing it, so it stops counting
    /// at s + period exactly. Texts stamped after `instant` (another writer's clock running ahead)
    /// count too: over-counting costs a delay, under-counting a violation.
    public func nextAllowed(at instant: Date, after sends: [Date]) -> Date? {
        let floor = instant - period
        let counted = sends.filter { $0 > floor }.sorted()
        guard counted.count >= messages else { return nil }
        // With the k oldest gone, count − k remain; one more fits once count − k < messages.
        return counted[counted.count - messages] + period
    }
}

extension WindowCalculator {
    /// The enabled state rule whose frequency cap counts texts of `kind` to `e164`, or nil, as it
    /// is for almost every text. Only held kinds are counted: the caps come from telephone-
    /// solicitation statutes, which do not reach a person's own conversation or the answers to
    /// their replies. One array read and one dictionary lookup, so a dispatcher can ask for every
    /// candidate and look up history only when the answer is not nil.
    public func frequencyCapRule(kind: MessageKind, to e164: String) -> StateRule? {
        guard kind.isHeldBySendingWindow, let npa = Self.areaCode(ofE164: e164),
              let rule = rules.rule(for: AreaCode.lookup(npa)?.subdivision), rule.frequencyCap != nil
        else { return nil }
        return rule
    }

    /// `evaluate`, with the frequency cap of the recipient's state applied too (docs/windows.md rule 3:
    /// Florida, Oklahoma and Maryland allow 3 texts per contact per 24 h).
    ///
    /// - Parameter recentSends: when the sender's earlier texts of held kinds to this number went
    ///   out, in any order; older ones are ignored. The statutes count texts "on the same subject",
    ///   which Herald cannot know, so every held-kind text counts: the conservative reading.
    /// - Returns: the earliest instant that the windows and the cap both allow. A cap that binds is
    ///   reported as `state_rule`, the rule it belongs to; a window that opens later still binds last.
    public func evaluate(
        at instant: Date, window: SendingWindow, to number: PhoneNumber, kind: MessageKind, recentSends: [Date]
    ) -> WindowDecision {
        let windows = evaluate(at: instant, window: window, to: number, kind: kind)
        guard kind.isHeldBySendingWindow, let cap = rules.rule(for: number.subdivision)?.frequencyCap else { return windows }
        let earliest: Date
        switch windows {
        case .allowed: earliest = instant
        case let .deferred(until, _): earliest = until
        case .never: return windows
        }
        guard let capOpens = cap.nextAllowed(at: earliest, after: recentSends) else { return windows }
        // Time only lets counted texts age out of the period, never adds any, so the first instant
        // the windows allow from the cap's opening on satisfies both.
        switch evaluate(at: capOpens, window: window, to: number, kind: kind) {
        case .allowed: return .deferred(until: capOpens, reason: .stateRule)
        case let .deferred(until, reason): return .deferred(until: until, reason: reason)
        case let .never(reason): return .never(reason: reason)
        }
    }

    /// The NPA of a stored E.164 US or Canadian number ("+1NPANXXXXXX").
    private static func areaCode(ofE164 e164: String) -> Int? {
        var npa = 0
        var index = 0
        for byte in e164.utf8 {
            switch index {
            case 0: guard byte == UInt8(ascii: "+") else { return nil }
            case 1: guard byte == UInt8(ascii: "1") else { return nil }
            case 2...4:
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                npa = npa * 10 + Int(byte - UInt8(ascii: "0"))
            default: return npa
            }
            index += 1
        }
        return index == 5 ? npa : nil
    }
}
