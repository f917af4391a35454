import Foundation
import Testing

@testable import HeraldCore

/// docs/windows.md rule 3's frequency caps as pure decisions: given when earlier texts went out, when may
/// the next one go, windows included.
@Suite struct FrequencyCapTests {
    static func at(_ text: String) -> Date { Timestamp.parse(text)! }
    static let threePerDay = StateRule.FrequencyCap(messages: 3, perHours: 24, sameSubject: true)
    static let miami = try! PhoneNumber.parse("+1 305 555 0100").get()
    static let austin = try! PhoneNumber.parse("+1 512 555 0100").get()
    static let allDayChicago = try! SendingWindow(hours: .fixed(0, 2359), timeZone: "America/Chicago")

    @Test("under the cap, a text may go at once")
    func underTheCap() {
        let now = Self.at("2026-11-23T10:00:00-05:00")
        #expect(Self.threePerDay.nextAllowed(at: now, after: []) == nil)
        #expect(Self.threePerDay.nextAllowed(at: now, after: [now - 3600, now - 60]) == nil)
    }

    @Test("at the cap, the next text waits until the oldest counted one is a full period old")
    func atTheCap() {
        let now = Self.at("2026-11-23T10:00:00-05:00")
        let sends = [now - 60, now - 7200, now - 3600]  // any order
        #expect(Self.threePerDay.nextAllowed(at: now, after: sends) == now - 7200 + 86_400)
        // A send counts for (s, s + 24 h): at s + 24 h exactly it has left the period.
        #expect(Self.threePerDay.nextAllowed(at: now - 7200 + 86_400, after: sends) == nil)
        #expect(Self.threePerDay.nextAllowed(at: now - 7200 + 86_399, after: sends) == now - 7200 + 86_400)
    }

    @Test("over the cap (a rule switched on late), enough sends must age out to leave room for one more")
    func overTheCap() {
        let now = Self.at("2026-11-23T10:00:00-05:00")
        let sends = (1...5).map { now - Double($0) * 600 }  // 50, 40, 30, 20, 10 minutes ago
        // 5 counted: 3 must leave to get down to 2, the third oldest leaving last.
        #expect(Self.threePerDay.nextAllowed(at: now, after: sends) == now - 1800 + 86_400)
    }

    @Test("sends older than the period do not count; same-instant sends all count")
    func periodBounds() {
        let now = Self.at("2026-11-23T10:00:00-05:00")
        #expect(Self.threePerDay.nextAllowed(at: now, after: [now - 86_400, now - 90_000, now - 100_000, now - 1]) == nil)
        #expect(Self.threePerDay.nextAllowed(at: now, after: [now, now, now]) == now + 86_400)
        let twoPerHour = StateRule.FrequencyCap(messages: 2, perHours: 1, sameSubject: false)
        #expect(twoPerHour.period == 3600)
        #expect(twoPerHour.nextAllowed(at: now, after: [now - 10, now - 20]) == now - 20 + 3600)
    }

    @Test("the cap applies to held kinds to capped states only")
    func whoIsCapped() {
        let calculator = WindowCalculator()
        #expect(calculator.frequencyCapRule(kind: .bulk, to: "+13055550100")?.subdivision == "FL")
        #expect(calculator.frequencyCapRule(kind: .journey, to: "+14055550100")?.subdivision == "OK")
        #expect(calculator.frequencyCapRule(kind: .optInRequest, to: "+14105550100")?.subdivision == "MD")
        #expect(calculator.frequencyCapRule(kind: .conversational, to: "+13055550100") == nil)
        #expect(calculator.frequencyCapRule(kind: .system, to: "+13055550100") == nil)
        #expect(calculator.frequencyCapRule(kind: .bulk, to: "+15125550100") == nil)  // Texas: hours, no cap
        #expect(calculator.frequencyCapRule(kind: .bulk, to: "+16125550100") == nil)  // Minnesota: no rule
        #expect(calculator.frequencyCapRule(kind: .bulk, to: "not a number") == nil)

        var table = StateRuleTable.shipped
        table.rules["FL"]?.enabled = false
        #expect(WindowCalculator(rules: table).frequencyCapRule(kind: .bulk, to: "+13055550100") == nil)
    }

    @Test("a capped recipient is held until the oldest send ages out, when the windows allow that instant")
    func heldByTheCap() {
        let calculator = WindowCalculator()
        let now = Self.at("2026-11-23T10:00:00-05:00")
        let sends = [Self.at("2026-11-23T09:30:00-05:00"), now - 60, now - 30]
        let decision = calculator.evaluate(at: now, window: Self.allDayChicago, to: Self.miami, kind: .bulk, recentSends: sends)
        #expect(decision == .deferred(until: Self.at("2026-11-24T09:30:00-05:00"), reason: .stateRule))
        // Without history, or for a kind the windows do not hold, the cap says nothing.
        #expect(calculator.evaluate(at: now, window: Self.allDayChicago, to: Self.miami, kind: .bulk, recentSends: []) == .allowed)
        #expect(calculator.evaluate(at: now, window: Self.allDayChicago, to: Self.miami, kind: .conversational, recentSends: sends) == .allowed)
        // Texas has no cap.
        #expect(calculator.evaluate(at: now, window: Self.allDayChicago, to: Self.austin, kind: .bulk, recentSends: sends) == .allowed)
    }

    @Test("when the cap opens outside the windows, the next opening of every rule is the answer")
    func capThenWindow() throws {
        let calculator = WindowCalculator()
        // Weekdays only: three texts on Friday morning; 24 h later it is Saturday.
        let weekdays = try SendingWindow(hours: .fixed(800, 1600), days: [.mon, .tue, .wed, .thu, .fri], timeZone: "America/Chicago")
        let friday = Self.at("2026-11-20T10:00:00-06:00")
        let sends = [friday, friday + 60, friday + 120]
        let decision = calculator.evaluate(at: friday + 180, window: weekdays, to: Self.miami, kind: .bulk, recentSends: sends)
        #expect(decision == .deferred(until: Self.at("2026-11-23T08:00:00-06:00"), reason: .orgWindow))

        // Three texts at 19:30 Miami time; 24 h later is inside Florida's 08:00-20:00 again.
        let evening = Self.at("2026-11-23T19:30:00-05:00")
        let late = calculator.evaluate(at: evening + 600, window: Self.allDayChicago, to: Self.miami, kind: .journey,
                                       recentSends: [evening, evening, evening])
        #expect(late == .deferred(until: evening + 86_400, reason: .stateRule))

        // Held at ingest for the state's hours: the cap is checked at the opening, not at `now`.
        let night = Self.at("2026-11-23T21:00:00-05:00")
        let morning = Self.at("2026-11-24T08:00:00-05:00")
        let capped = calculator.evaluate(at: night, window: Self.allDayChicago, to: Self.miami, kind: .bulk,
                                         recentSends: [morning - 3600 * 13, night - 600, night - 300])
        // 08:00 would still see three sends in the last 24 h; the oldest (19:00 yesterday) leaves at 19:00.
        #expect(capped == .deferred(until: Self.at("2026-11-24T19:00:00-05:00"), reason: .stateRule))
    }

    @Test("a window that never opens stays never")
    func neverStaysNever() throws {
        let calculator = WindowCalculator()
        let night = try SendingWindow(hours: .fixed(2200, 200), timeZone: "America/Chicago")
        let now = Self.at("2026-11-23T10:00:00-05:00")
        let decision = calculator.evaluate(at: now, window: night, to: Self.miami, kind: .bulk, recentSends: [now, now, now])
        guard case .never = decision else {
            Issue.record("expected never, got \(decision)")
            return
        }
    }
}
