import Foundation
import Testing

@testable import HeraldCore

private func at(_ text: String) -> Date { Timestamp.parse(text)! }
private func time(_ text: String) -> TimeOfDay { TimeOfDay(parsing: text)! }
private func hours(_ text: String) -> DailyHours { DailyHours(parsing: text)! }

@Suite("Sending windows: values and rules")
struct WindowRulesTests {
    let chicago = try! SendingWindow(hours: DailyHours(parsing: "08:00-16:00")!, timeZone: "America/Chicago")
    let calculator = WindowCalculator()

    // MARK: Values

    @Test func timeOfDayParsing() {
        #expect(TimeOfDay(parsing: "08:00") == TimeOfDay(hour: 8, minute: 0))
        #expect(TimeOfDay(parsing: "8:05")?.description == "08:05")
        #expect(TimeOfDay(parsing: "23:59")?.minutesSinceMidnight == 1439)
        for bad in ["24:00", "08:60", "08:00:00", "8", "08-00", "", "+8:00", "08:0", "٠٨:٠٠"] {
            #expect(TimeOfDay(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func dailyHoursParsingAndRules() throws {
        #expect(hours("08:00-21:00").description == "08:00-21:00")
        #expect(DailyHours(parsing: "08:00–21:00") == hours("08:00-21:00"))
        #expect(DailyHours(parsing: "08:00 - 21:00") == hours("08:00-21:00"))
        #expect(hours("22:00-02:00").crossesMidnight)
        #expect(!hours("08:00-21:00").crossesMidnight)
        #expect(DailyHours(parsing: "08:00-08:00") == nil)
        #expect(DailyHours(parsing: "08:00") == nil)
        #expect(throws: WindowRuleError.emptyHours(time("12:00"))) { try DailyHours(start: time("12:00"), end: time("12:00")) }
    }

    @Test func sendingWindowRefusesWhatCannotWork() {
        #expect(throws: WindowRuleError.emptyHours(time("09:00"))) {
            try SendingWindow(start: time("09:00"), end: time("09:00"), timeZone: "America/Chicago")
        }
        #expect(throws: WindowRuleError.noDays) {
            try SendingWindow(hours: hours("08:00-16:00"), days: [], timeZone: "America/Chicago")
        }
        #expect(throws: WindowRuleError.unknownTimeZone("CST")) {
            try SendingWindow(hours: hours("08:00-16:00"), timeZone: "CST")
        }
        #expect(throws: WindowRuleError.unknownTimeZone("Mars/Olympus_Mons")) {
            try SendingWindow(hours: hours("08:00-16:00"), timeZone: "Mars/Olympus_Mons")
        }
        #expect(SendingWindow.default == chicago)
        #expect(chicago.description == "08:00-16:00 every day America/Chicago")
    }

    @Test func weekdayNumbering() {
        for day in Weekday.allCases {
            #expect(Weekday(calendarWeekday: day.calendarWeekday) == day)
            #expect(Weekday(isoIndex: day.isoIndex) == day)
        }
        #expect(Weekday.sun.calendarWeekday == 1)
        #expect(Weekday.sat.calendarWeekday == 7)
        #expect(Weekday(calendarWeekday: 0) == nil)
        #expect(Weekday.allCases.sorted().first == .mon)
    }

    @Test func civilDates() {
        #expect(CivilDate(parsing: "1970-01-01")?.daysSinceEpoch == 0)
        #expect(CivilDate(parsing: "2026-11-26")?.weekday == .thu)
        #expect(CivilDate(parsing: "2026-03-08")?.weekday == .sun)
        #expect(CivilDate(parsing: "2026-02-29") == nil)
        #expect(CivilDate(parsing: "2028-02-29")?.weekday == .tue)
        #expect(CivilDate(parsing: "2026-1-01") == nil)
        #expect(CivilDate(parsing: "1969-12-31")?.daysSinceEpoch == -1)
        // Round trip over four centuries (leap rules included), checked against Calendar's weekday.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for days in stride(from: Int64(-25_000), through: 120_000, by: 37) {
            let date = CivilDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
            #expect(CivilDate(parsing: date.description) == date)
            let weekday = calendar.component(.weekday, from: Date(timeIntervalSince1970: Double(days) * 86_400))
            #expect(date.weekday.calendarWeekday == weekday)
        }
    }

    // MARK: Formatting

    @Test func localTimestamps() {
        #expect(chicago.localTimestamp(at("2026-11-24T14:00:00Z")) == "2026-11-24T08:00:00-06:00")
        #expect(chicago.localTimestamp(at("2026-07-14T13:00:00Z")) == "2026-07-14T08:00:00-05:00")
        #expect(chicago.localTimestamp(at("2026-03-08T08:00:00Z")) == "2026-03-08T03:00:00-05:00")
        #expect(chicago.localTimestamp(at("2026-11-01T06:30:00Z")) == "2026-11-01T01:30:00-05:00")
        #expect(chicago.localTimestamp(at("2026-11-01T07:30:00Z")) == "2026-11-01T01:30:00-06:00")
        #expect(chicago.localTimestamp(at("2026-11-24T14:00:00.250Z")) == "2026-11-24T08:00:00.250-06:00")
        #expect(LocalTimestamp.format(at("2026-11-23T12:00:00Z"), timeZone: "America/St_Johns") == "2026-11-23T08:30:00-03:30")
        #expect(LocalTimestamp.format(at("2026-11-23T12:00:00Z"), timeZone: "UTC") == "2026-11-23T12:00:00+00:00")
        #expect(LocalTimestamp.format(at("2026-11-23T12:00:00Z"), timeZone: "Asia/Kolkata") == "2026-11-23T17:30:00+05:30")
        #expect(LocalTimestamp.format(at("1969-12-31T23:00:00Z"), timeZone: "UTC") == "1969-12-31T23:00:00+00:00")
        #expect(LocalTimestamp.format(at("2026-11-23T12:00:00Z"), timeZone: "Nowhere/Else") == nil)
    }

    // MARK: Zone tables

    /// The transition tables agree with Foundation's offsets, and reading a wall clock back gives
    /// the first instant showing that reading or later: the first occurrence in an overlap, the
    /// transition in a gap (docs/windows.md).
    @Test func zoneTablesAgreeWithFoundation() throws {
        var zones = Set(AreaCode.all.flatMap(\.timeZones))
        zones.formUnion(["UTC", "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe", "America/Havana", "America/Santiago"])
        var generator = SystemRandomNumberGenerator()
        for identifier in zones.sorted() {
            let offsets = try #require(ZoneOffsets.named(identifier))
            let zone = try #require(TimeZone(identifier: identifier))
            let foundationWall = { (instant: Int64) in instant + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant)))) }
            for _ in 0..<150 {
                let instant = Int64.random(in: 1_577_836_800..<2_208_988_800, using: &generator)  // 2020-2040
                #expect(offsets.wallClock(at: instant) == foundationWall(instant), "\(identifier) at \(instant)")
            }
            // Wall readings on whole minutes around every transition of 2026, and a few elsewhere.
            var readings: [Int64] = (0..<20).map { _ in Int64.random(in: 1_767_225_600..<1_830_297_600, using: &generator) / 60 * 60 }
            var cursor = Date(timeIntervalSince1970: 1_767_225_600)
            while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next.timeIntervalSince1970 < 1_798_761_600 {
                let wall = foundationWall(Int64(next.timeIntervalSince1970))
                readings += stride(from: wall - 7_200, through: wall + 7_200, by: 900).map { $0 }
                cursor = next
            }
            for wall in readings {
                // First instant, on the minute grid, whose wall reading is at least `wall`.
                var expected = wall - 15 * 3600
                while foundationWall(expected) < wall { expected += 60 }
                #expect(offsets.instant(atWallClock: wall) == expected, "\(identifier) wall \(wall)")
            }
        }
    }

    @Test func zoneTablesOutsideTheirRange() throws {
        let offsets = try #require(ZoneOffsets.named("America/Chicago"))
        let zone = try #require(TimeZone(identifier: "America/Chicago"))
        for instant: Int64 in [-1_000_000_000, 7_258_118_400 + 86_400 * 180, 9_000_000_000] {
            #expect(offsets.offset(at: instant) == Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant)))))
            #expect(offsets.instant(atWallClock: offsets.wallClock(at: instant)) == instant)
        }
        #expect(ZoneOffsets.named("CST") == nil)
        #expect(ZoneOffsets.named("Mars/Olympus_Mons") == nil)
        #expect(ZoneOffsets.named("America/Chicago") === offsets)
    }

    // MARK: Kinds, unknown zones, never

    @Test(arguments: MessageKind.allCases)
    func onlyHeldKindsAreHeld(_ kind: MessageKind) throws {
        let number = try PhoneNumber.parse("+1 612 555 0123").get()
        let decision = calculator.evaluate(at: at("2026-11-23T03:00:00-06:00"), window: chicago, to: number, kind: kind)
        #expect(decision.isAllowed == !kind.isHeldBySendingWindow)
    }

    @Test func unknownRecipientZoneUsesTheOrganizationsZone() {
        let instant = at("2026-11-23T07:30:00-06:00")
        for zones in [["Mars/Olympus_Mons"], [], ["CST"]] {
            let location = RecipientLocation(timeZones: zones, subdivision: nil)
            let explanation = calculator.explain(at: instant, window: chicago, recipient: location, kind: .bulk)
            #expect(explanation.usedOrganizationTimeZone)
            #expect(explanation.recipientTimeZones == ["America/Chicago"])
            #expect(explanation.decision == .deferred(until: at("2026-11-23T08:00:00-06:00"), reason: .orgWindow))
            #expect(calculator.recipientTimeZones(location, window: chicago) == (["America/Chicago"], true))
        }
        // A known zone next to an unknown one: both checked, the unknown as the org's zone.
        let mixed = RecipientLocation(timeZones: ["Pacific/Honolulu", "Mars/Olympus_Mons"], subdivision: nil)
        let explanation = calculator.explain(at: instant, window: chicago, recipient: mixed, kind: .bulk)
        #expect(explanation.usedOrganizationTimeZone)
        #expect(explanation.recipientTimeZones == ["Pacific/Honolulu", "America/Chicago"])
        #expect(explanation.decision == .deferred(until: at("2026-11-23T12:00:00-06:00"), reason: .recipientQuietHours))
    }

    @Test func knownZonesAreNotFlagged() throws {
        let number = try PhoneNumber.parse("+1 907 555 0123").get()
        let explanation = calculator.explain(at: at("2026-11-23T13:00:00-06:00"), window: chicago, recipient: RecipientLocation(number), kind: .bulk)
        #expect(!explanation.usedOrganizationTimeZone)
        #expect(explanation.recipientTimeZones == ["America/Adak", "America/Anchorage", "America/Juneau", "Pacific/Honolulu"])
        #expect(explanation.decision == .allowed)
        #expect(explanation.stateRule == nil)
        let texas = calculator.explain(at: at("2026-11-22T10:00:00-06:00"), window: chicago, recipient: RecipientLocation(try PhoneNumber.parse("512 555 0123").get()), kind: .bulk)
        #expect(texas.stateRule?.name == "Texas")
        #expect(texas.decision == .deferred(until: at("2026-11-22T12:00:00-06:00"), reason: .stateRule))
    }

    @Test func neverWhenRulesCannotMeet() throws {
        let sundays = try SendingWindow(hours: hours("10:00-16:00"), days: [.sun], timeZone: "America/New_York")
        let rhodeIsland = try PhoneNumber.parse("+1 401 555 0123").get()
        guard case .never = calculator.evaluate(at: at("2026-11-23T10:00:00-05:00"), window: sundays, to: rhodeIsland, kind: .bulk) else {
            Issue.record("a Sunday-only window can never reach Rhode Island")
            return
        }
        let night = try SendingWindow(hours: hours("21:30-07:30"), timeZone: "America/New_York")
        let newYork = try PhoneNumber.parse("+1 212 555 0123").get()
        #expect(calculator.evaluate(at: at("2026-11-23T10:00:00-05:00"), window: night, to: newYork, kind: .bulk) == .never(reason: .orgWindow)
            || calculator.evaluate(at: at("2026-11-23T10:00:00-05:00"), window: night, to: newYork, kind: .bulk) == .never(reason: .recipientQuietHours))
        // The same window reaches Hawaii.
        let hawaii = try PhoneNumber.parse("+1 808 555 0123").get()
        #expect(calculator.evaluate(at: at("2026-11-23T10:00:00-05:00"), window: night, to: hawaii, kind: .bulk)
            == .deferred(until: at("2026-11-23T21:30:00-05:00"), reason: .orgWindow))
    }

    @Test func horizonIsConfigurable() throws {
        let wednesdays = try SendingWindow(hours: hours("08:00-16:00"), days: [.wed], timeZone: "America/Chicago")
        let number = try PhoneNumber.parse("+1 612 555 0123").get()
        let thursday = at("2026-11-26T10:00:00-06:00")
        #expect(WindowCalculator(horizonDays: 5).evaluate(at: thursday, window: wednesdays, to: number, kind: .bulk) == .never(reason: .orgWindow))
        #expect(WindowCalculator(horizonDays: 7).evaluate(at: thursday, window: wednesdays, to: number, kind: .bulk)
            == .deferred(until: at("2026-12-02T08:00:00-06:00"), reason: .orgWindow))
    }

    // MARK: Tables an operator changes

    @Test func disabledRuleDoesNotHold() throws {
        var table = StateRuleTable.shipped
        table.rules["FL"]?.enabled = false
        let wide = try SendingWindow(hours: hours("06:00-22:00"), timeZone: "America/Chicago")
        let florida = try PhoneNumber.parse("+1 305 555 0123").get()
        let instant = at("2026-11-23T19:30:00-06:00")  // 20:30 EST
        #expect(WindowCalculator(rules: table).evaluate(at: instant, window: wide, to: florida, kind: .bulk) == .allowed)
        #expect(WindowCalculator(rules: table).explain(at: instant, window: wide, recipient: RecipientLocation(florida), kind: .bulk).stateRule == nil)
        #expect(calculator.evaluate(at: instant, window: wide, to: florida, kind: .bulk) == .deferred(until: at("2026-11-24T07:00:00-06:00"), reason: .stateRule))
    }

    /// Recipient-side rules follow the same DST reading as the org window: a state rule opening at
    /// 02:30 opens at 03:00 CDT on 8 March.
    @Test func recipientRulesFollowTheDSTRules() throws {
        let table = StateRuleTable(
            recipientHours: QuietHours(allowed: hours("00:00-23:59")),
            // Without the federal holidays, which would close Thanksgiving (26th) too.
            federalHolidays: false,
            listedHolidays: [CivilDate(parsing: "2026-11-24")!: "test holiday"],
            rules: [
                StateRule(subdivision: "MN", name: "Test", certainty: .uncertain, source: "test",
                          hours: StateRule.everyDay(hours("02:30-10:00")), closedOnHolidays: true,
                          extraHolidays: [CivilDate(parsing: "2026-11-25")!]),
            ]
        )
        let always = try SendingWindow(hours: hours("00:00-23:59"), timeZone: "America/Chicago")
        let minnesota = try PhoneNumber.parse("+1 612 555 0123").get()
        let rules = WindowCalculator(rules: table)
        #expect(rules.evaluate(at: at("2026-03-08T01:00:00-06:00"), window: always, to: minnesota, kind: .bulk)
            == .deferred(until: at("2026-03-08T03:00:00-05:00"), reason: .stateRule))
        #expect(rules.evaluate(at: at("2026-03-07T01:00:00-06:00"), window: always, to: minnesota, kind: .bulk)
            == .deferred(until: at("2026-03-07T02:30:00-06:00"), reason: .stateRule))
        // The table's holiday (Tue 24) and the rule's own (Wed 25) are closed.
        #expect(rules.evaluate(at: at("2026-11-23T11:00:00-06:00"), window: always, to: minnesota, kind: .bulk)
            == .deferred(until: at("2026-11-26T02:30:00-06:00"), reason: .stateRule))
        // 23:59-00:00 is outside 00:00-23:59.
        let other = try PhoneNumber.parse("+1 217 555 0123").get()
        #expect(rules.evaluate(at: at("2026-11-23T23:59:30-06:00"), window: always, to: other, kind: .bulk)
            == .deferred(until: at("2026-11-24T00:00:00-06:00"), reason: .orgWindow))
    }

    // MARK: The shipped table

    @Test func shippedTableHasEveryListedJurisdiction() {
        let table = StateRuleTable.shipped
        #expect(table.recipientHours == .federal)
        #expect(QuietHours.federal.allowed == hours("08:00-21:00"))
        #expect(Set(table.rules.keys) == ["FL", "OK", "MD", "TX", "CT", "VA", "WA", "AL", "LA", "MS", "UT", "RI"])
        #expect(table.rules.values.allSatisfy { $0.enabled })
        #expect(Set(table.rules.values.filter { $0.certainty == .uncertain }.map(\.subdivision)) == ["FL", "WA", "AL", "LA", "MS", "UT", "RI"])
        #expect(table.rules["TX"]?.hoursDescription == "Mon-Sat 09:00-21:00, Sun 12:00-21:00")
        #expect(table.rules["RI"]?.hoursDescription == "Mon-Fri 09:00-18:00, Sat 10:00-17:00, Sun closed, closed on holidays")
        #expect(table.rules["CT"]?.hoursDescription == "every day 09:00-20:00")
        #expect(table.rules["FL"]?.frequencyCap == StateRule.FrequencyCap(messages: 3, perHours: 24, sameSubject: true))
        #expect(table.federalHolidays)
        #expect(table.listedHolidays.isEmpty)
        #expect(table.rule(for: nil) == nil)
        #expect(table.rule(for: "MN") == nil)
    }

    /// The shipped table's holidays are the federal holidays of 5 U.S.C. 6103 by their rules,
    /// plus the weekday observed when one falls on a weekend, in every year (here 2026-2060,
    /// computed independently of `FederalHolidays`).
    @Test func shippedHolidaysAreTheFederalHolidays() {
        func nth(_ n: Int, _ weekday: Weekday, _ month: Int, _ year: Int) -> CivilDate {
            let first = CivilDate(year: year, month: month, day: 1)!
            let offset = (weekday.isoIndex - first.weekday.isoIndex + 7) % 7
            return CivilDate(daysSinceEpoch: first.daysSinceEpoch + Int64(offset + 7 * (n - 1)))
        }
        func last(_ weekday: Weekday, _ month: Int, _ year: Int) -> CivilDate {
            let nextMonth = CivilDate(year: year, month: month + 1, day: 1)!
            var day = nextMonth.daysSinceEpoch - 1
            while CivilDate(daysSinceEpoch: day).weekday != weekday { day -= 1 }
            return CivilDate(daysSinceEpoch: day)
        }
        var expected: Set<CivilDate> = []
        for year in 2026...2061 {
            let fixed = [(1, 1), (6, 19), (7, 4), (11, 11), (12, 25)].map { CivilDate(year: year, month: $0.0, day: $0.1)! }
            let floating = [nth(3, .mon, 1, year), nth(3, .mon, 2, year), last(.mon, 5, year), nth(1, .mon, 9, year), nth(2, .mon, 10, year), nth(4, .thu, 11, year)]
            for date in fixed {
                expected.insert(date)
                switch date.weekday {
                case .sat: expected.insert(CivilDate(daysSinceEpoch: date.daysSinceEpoch - 1))
                case .sun: expected.insert(CivilDate(daysSinceEpoch: date.daysSinceEpoch + 1))
                default: break
                }
            }
            expected.formUnion(floating)
        }
        for day in CivilDate(parsing: "2026-01-01")!.daysSinceEpoch...CivilDate(parsing: "2060-12-31")!.daysSinceEpoch {
            let date = CivilDate(daysSinceEpoch: day)
            #expect((StateRuleTable.shipped.holiday(on: date) != nil) == expected.contains(date), "\(date)")
        }
    }
}
