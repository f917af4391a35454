import Foundation
import PropertyBased
import Testing

@testable import HeraldCore

/// A random question to the window rules: an organization window (any hours, any non-empty set
/// of days, a zone from a list), a recipient from the area-code table, an instant in 2026-2027
/// (often near a DST change).
struct WindowScenario: Sendable, CustomStringConvertible {
    var window: SendingWindow
    var npa: Int
    var at: Date

    var recipient: RecipientLocation { RecipientLocation(try! PhoneNumber.parse("+1\(npa)5550123").get()) }

    var description: String {
        "window \(window), to \(npa), at \(Timestamp.format(at)) (\(window.localTimestamp(at)))"
    }

    /// Edges away from 00:00-03:00 and 23:00-24:00, where the DST changes of the zones below
    /// fall and where reading the wall clock and the DST rules of docs/windows.md can differ; elsewhere
    /// the oracle below is exact.
    var edgesAvoidDSTHours: Bool {
        ![window.start, window.end].contains { $0.minutesSinceMidnight <= 180 || $0.minutesSinceMidnight >= 1380 }
    }

    static let orgZones = [
        "America/Chicago", "America/New_York", "America/Los_Angeles", "America/Denver", "America/Phoenix",
        "America/Anchorage", "Pacific/Honolulu", "America/St_Johns", "America/Halifax", "America/Toronto",
        "America/Regina", "UTC", "Europe/London", "Asia/Kolkata",
        // Changes at midnight, at 24:00, and by half an hour.
        "America/Havana", "America/Santiago", "Australia/Lord_Howe",
    ]

    /// 2026 US DST changes, where instants cluster a third of the time.
    static let dstInstants: [Int64] = [1_772_956_800, 1_793_516_400, 1_805_011_200, 1_825_570_800]  // 2026-03-08T08Z, 2026-11-01T07Z, 2027-03-14T08Z, 2027-11-07T07Z

    static let generator = Gen<UInt64>.value(in: 0...UInt64.max).array(of: 8).map { draws -> WindowScenario in
        let zone = orgZones[Int(draws[0] % UInt64(orgZones.count))]
        // Whole hours and half hours half of the time, so edges meet other rules' edges.
        let minuteGrid: UInt64 = draws[1] % 2 == 0 ? 30 : 1
        let start = Int(draws[2] % (1440 / minuteGrid) * minuteGrid)
        var end = Int(draws[3] % (1440 / minuteGrid) * minuteGrid)
        if end == start { end = (start + 60) % 1440 }
        var dayBits = Int(draws[4] % 128)
        if draws[4] % 3 == 0 || dayBits == 0 { dayBits = 127 }
        let days = Set(Weekday.allCases.filter { dayBits & (1 << $0.isoIndex) != 0 })
        let codes = AreaCode.all
        // Multi-zone and state-rule codes a third of the time each.
        let pool: [AreaCode] = switch draws[5] % 3 {
        case 0: codes.filter { $0.timeZones.count > 1 }
        case 1: codes.filter { StateRuleTable.shipped.rule(for: $0.subdivision) != nil }
        default: codes
        }
        let npa = pool[Int(draws[6] / 3 % UInt64(pool.count))].npa
        let seconds: Int64
        if draws[7] % 3 == 0 {
            seconds = dstInstants[Int(draws[7] / 3 % 4)] + Int64(draws[7] / 12 % 172_800) - 86_400
        } else {
            seconds = 1_767_225_600 + Int64(draws[7] / 3 % 63_072_000)  // 2026-01-01 ..< 2028-01-01
        }
        let window = try! SendingWindow(
            start: TimeOfDay(hour: start / 60, minute: start % 60)!, end: TimeOfDay(hour: end / 60, minute: end % 60)!,
            days: days, timeZone: zone
        )
        return WindowScenario(window: window, npa: npa, at: Date(timeIntervalSince1970: Double(seconds)))
    }
}

/// docs/windows.md read literally with Foundation's `Calendar`: the wall clock in each zone, compared
/// with the hours of that local day (and of the day before, for hours crossing midnight).
/// Independent of `ZoneOffsets`; exact wherever no edge falls in a DST gap or overlap.
struct WindowOracle {
    let table: StateRuleTable

    func allows(_ instant: Date, _ scenario: WindowScenario) -> Bool {
        let recipient = scenario.recipient
        let window = scenario.window
        guard Self.inHours(instant, zone: window.timeZone, hours: { day in window.days.contains(day.weekday) ? window.hours : nil }) else {
            return false
        }
        let rule = table.rule(for: recipient.subdivision)
        for zone in recipient.timeZones {
            guard Self.inHours(instant, zone: zone, hours: { _ in table.recipientHours.allowed }) else { return false }
            if let rule {
                let open = Self.inHours(instant, zone: zone) { day in
                    let holiday = table.holiday(on: day) != nil || rule.extraHolidays.contains(day)
                    return rule.closedOnHolidays && holiday ? nil : rule.hours[day.weekday]
                }
                if !open { return false }
            }
        }
        return true
    }

    static func inHours(_ instant: Date, zone: String, hours: (CivilDate) -> DailyHours?) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        let today = CivilDate(year: parts.year!, month: parts.month!, day: parts.day!)!
        let yesterday = CivilDate(daysSinceEpoch: today.daysSinceEpoch - 1)
        let second = parts.hour! * 3600 + parts.minute! * 60 + parts.second!
        if let open = hours(today) {
            let start = open.start.minutesSinceMidnight * 60
            let end = open.end.minutesSinceMidnight * 60
            if open.crossesMidnight ? second >= start : (start <= second && second < end) { return true }
        }
        if let open = hours(yesterday), open.crossesMidnight, second < open.end.minutesSinceMidnight * 60 {
            return true
        }
        return false
    }
}

@Suite("Sending windows: properties")
struct WindowPropertyTests {
    static let calculator = WindowCalculator()

    /// The answer is at or after t, passes its own check, and nothing earlier does: every whole
    /// minute in [t, answer) is checked when there are at most 1,500 of them, else 1,500 spread
    /// over the span plus the last hour. Openings fall on whole minutes, so an allowed instant
    /// before the answer would show at one of them.
    @Test func deferredAnswerIsTheEarliestAllowedInstant() async {
        await propertyCheck(count: 400, input: WindowScenario.generator) { scenario in
            let evaluate = { (instant: Date) in
                Self.calculator.evaluate(at: instant, window: scenario.window, recipient: scenario.recipient, kind: .bulk)
            }
            switch evaluate(scenario.at) {
            case .allowed:
                break
            case .never:
                // Nothing in the horizon: spot-check whole minutes across it.
                let first = (scenario.at.timeIntervalSince1970 / 60).rounded(.up) * 60
                for step in stride(from: 0.0, to: Double(Self.calculator.horizonDays) * 86_400, by: 3_559 * 60) {
                    #expect(evaluate(Date(timeIntervalSince1970: first + step)) != .allowed, "\(scenario)")
                }
            case .deferred(let until, _):
                #expect(until >= scenario.at, "\(scenario)")
                #expect(evaluate(until) == .allowed, "\(scenario): answer \(Timestamp.format(until)) fails its own check")
                #expect(evaluate(until - 1) != .allowed, "\(scenario)")
                let first = (scenario.at.timeIntervalSince1970 / 60).rounded(.up) * 60
                let minutes = Int((until.timeIntervalSince1970 - first) / 60)
                var probes: [Double] = []
                if minutes <= 1_500 {
                    probes = (0..<max(minutes, 0)).map { first + Double($0) * 60 }
                } else {
                    probes = (0..<1_500).map { first + (Double($0 * minutes / 1_500)) * 60 }
                    probes += (1...60).map { until.timeIntervalSince1970 - Double($0) * 60 }
                }
                for probe in probes where probe < until.timeIntervalSince1970 {
                    let decision = evaluate(Date(timeIntervalSince1970: probe))
                    #expect(decision != .allowed, "\(scenario): \(Timestamp.format(Date(timeIntervalSince1970: probe))) is allowed but earlier than the answer")
                    if decision == .allowed { return }
                }
            }
        }
    }

    /// Window evaluation agrees with docs/windows.md read with `Calendar` at t, at the answer, and just
    /// before the answer.
    @Test func agreesWithCalendarOracle() async {
        let oracle = WindowOracle(table: .shipped)
        await propertyCheck(count: 1_500, input: WindowScenario.generator) { scenario in
            guard scenario.edgesAvoidDSTHours else { return }
            let evaluate = { (instant: Date) in
                Self.calculator.evaluate(at: instant, window: scenario.window, recipient: scenario.recipient, kind: .journey)
            }
            let decision = evaluate(scenario.at)
            #expect((decision == .allowed) == oracle.allows(scenario.at, scenario), "\(scenario): \(decision)")
            if case .deferred(let until, _) = decision {
                #expect(oracle.allows(until, scenario), "\(scenario): \(Timestamp.format(until))")
                #expect(!oracle.allows(until - 1, scenario), "\(scenario): \(Timestamp.format(until))")
            }
        }
    }

    /// The reason names a rule that was closed just before the answer and open at it.
    @Test func reasonNamesARuleThatOpensAtTheAnswer() async {
        await propertyCheck(count: 400, input: WindowScenario.generator) { scenario in
            guard case .deferred(let until, let reason) = Self.calculator.evaluate(
                at: scenario.at, window: scenario.window, recipient: scenario.recipient, kind: .bulk
            ) else { return }
            let zones = scenario.recipient.timeZones
            let rule = StateRuleTable.shipped.rule(for: scenario.recipient.subdivision)
            let opens: (Date) -> Bool = { instant in
                switch reason {
                case .orgWindow:
                    WindowOracle.inHours(instant, zone: scenario.window.timeZone) { scenario.window.days.contains($0.weekday) ? scenario.window.hours : nil }
                case .recipientQuietHours:
                    zones.allSatisfy { WindowOracle.inHours(instant, zone: $0) { _ in QuietHours.federal.allowed } }
                case .stateRule:
                    rule != nil && zones.allSatisfy { zone in
                        WindowOracle.inHours(instant, zone: zone) { day in
                            rule!.closedOnHolidays && StateRuleTable.shipped.holiday(on: day) != nil ? nil : rule!.hours[day.weekday]
                        }
                    }
                default:
                    false
                }
            }
            guard scenario.edgesAvoidDSTHours else { return }
            #expect(opens(until), "\(scenario): \(reason) at \(Timestamp.format(until))")
            #expect(!opens(until - 1), "\(scenario): \(reason) just before \(Timestamp.format(until))")
        }
    }
}
