import Foundation
import Testing

@testable import HeraldCore

private func date(_ text: String) -> CivilDate { CivilDate(parsing: text)! }
private func at(_ text: String) -> Date { Timestamp.parse(text)! }

/// The federal holidays of 2026 through 2040 and the day each is observed on, written out from
/// 5 U.S.C. 6103: (year, holiday, date by the statute, day observed). The weekday comments are
/// the dates' own, so a reader can check the Saturday/Sunday rows at a glance.
private let expected: [(year: Int, holiday: FederalHoliday, date: String, observed: String)] = [
    (2026, .newYearsDay, "2026-01-01", "2026-01-01"),  // Thu
    (2026, .martinLutherKingJrBirthday, "2026-01-19", "2026-01-19"),  // Mon
    (2026, .washingtonsBirthday, "2026-02-16", "2026-02-16"),  // Mon
    (2026, .memorialDay, "2026-05-25", "2026-05-25"),  // Mon
    (2026, .juneteenth, "2026-06-19", "2026-06-19"),  // Fri
    (2026, .independenceDay, "2026-07-04", "2026-07-03"),  // Sat -> Fri
    (2026, .laborDay, "2026-09-07", "2026-09-07"),  // Mon
    (2026, .columbusDay, "2026-10-12", "2026-10-12"),  // Mon
    (2026, .veteransDay, "2026-11-11", "2026-11-11"),  // Wed
    (2026, .thanksgivingDay, "2026-11-26", "2026-11-26"),  // Thu
    (2026, .christmasDay, "2026-12-25", "2026-12-25"),  // Fri
    (2027, .newYearsDay, "2027-01-01", "2027-01-01"),  // Fri
    (2027, .martinLutherKingJrBirthday, "2027-01-18", "2027-01-18"),  // Mon
    (2027, .washingtonsBirthday, "2027-02-15", "2027-02-15"),  // Mon
    (2027, .memorialDay, "2027-05-31", "2027-05-31"),  // Mon
    (2027, .juneteenth, "2027-06-19", "2027-06-18"),  // Sat -> Fri
    (2027, .independenceDay, "2027-07-04", "2027-07-05"),  // Sun -> Mon
    (2027, .laborDay, "2027-09-06", "2027-09-06"),  // Mon
    (2027, .columbusDay, "2027-10-11", "2027-10-11"),  // Mon
    (2027, .veteransDay, "2027-11-11", "2027-11-11"),  // Thu
    (2027, .thanksgivingDay, "2027-11-25", "2027-11-25"),  // Thu
    (2027, .christmasDay, "2027-12-25", "2027-12-24"),  // Sat -> Fri
    (2028, .newYearsDay, "2028-01-01", "2027-12-31"),  // Sat -> Fri
    (2028, .martinLutherKingJrBirthday, "2028-01-17", "2028-01-17"),  // Mon
    (2028, .washingtonsBirthday, "2028-02-21", "2028-02-21"),  // Mon
    (2028, .memorialDay, "2028-05-29", "2028-05-29"),  // Mon
    (2028, .juneteenth, "2028-06-19", "2028-06-19"),  // Mon
    (2028, .independenceDay, "2028-07-04", "2028-07-04"),  // Tue
    (2028, .laborDay, "2028-09-04", "2028-09-04"),  // Mon
    (2028, .columbusDay, "2028-10-09", "2028-10-09"),  // Mon
    (2028, .veteransDay, "2028-11-11", "2028-11-10"),  // Sat -> Fri
    (2028, .thanksgivingDay, "2028-11-23", "2028-11-23"),  // Thu
    (2028, .christmasDay, "2028-12-25", "2028-12-25"),  // Mon
    (2029, .newYearsDay, "2029-01-01", "2029-01-01"),  // Mon
    (2029, .martinLutherKingJrBirthday, "2029-01-15", "2029-01-15"),  // Mon
    (2029, .washingtonsBirthday, "2029-02-19", "2029-02-19"),  // Mon
    (2029, .memorialDay, "2029-05-28", "2029-05-28"),  // Mon
    (2029, .juneteenth, "2029-06-19", "2029-06-19"),  // Tue
    (2029, .independenceDay, "2029-07-04", "2029-07-04"),  // Wed
    (2029, .laborDay, "2029-09-03", "2029-09-03"),  // Mon
    (2029, .columbusDay, "2029-10-08", "2029-10-08"),  // Mon
    (2029, .veteransDay, "2029-11-11", "2029-11-12"),  // Sun -> Mon
    (2029, .thanksgivingDay, "2029-11-22", "2029-11-22"),  // Thu
    (2029, .christmasDay, "2029-12-25", "2029-12-25"),  // Tue
    (2030, .newYearsDay, "2030-01-01", "2030-01-01"),  // Tue
    (2030, .martinLutherKingJrBirthday, "2030-01-21", "2030-01-21"),  // Mon
    (2030, .washingtonsBirthday, "2030-02-18", "2030-02-18"),  // Mon
    (2030, .memorialDay, "2030-05-27", "2030-05-27"),  // Mon
    (2030, .juneteenth, "2030-06-19", "2030-06-19"),  // Wed
    (2030, .independenceDay, "2030-07-04", "2030-07-04"),  // Thu
    (2030, .laborDay, "2030-09-02", "2030-09-02"),  // Mon
    (2030, .columbusDay, "2030-10-14", "2030-10-14"),  // Mon
    (2030, .veteransDay, "2030-11-11", "2030-11-11"),  // Mon
    (2030, .thanksgivingDay, "2030-11-28", "2030-11-28"),  // Thu
    (2030, .christmasDay, "2030-12-25", "2030-12-25"),  // Wed
    (2031, .newYearsDay, "2031-01-01", "2031-01-01"),  // Wed
    (2031, .martinLutherKingJrBirthday, "2031-01-20", "2031-01-20"),  // Mon
    (2031, .washingtonsBirthday, "2031-02-17", "2031-02-17"),  // Mon
    (2031, .memorialDay, "2031-05-26", "2031-05-26"),  // Mon
    (2031, .juneteenth, "2031-06-19", "2031-06-19"),  // Thu
    (2031, .independenceDay, "2031-07-04", "2031-07-04"),  // Fri
    (2031, .laborDay, "2031-09-01", "2031-09-01"),  // Mon
    (2031, .columbusDay, "2031-10-13", "2031-10-13"),  // Mon
    (2031, .veteransDay, "2031-11-11", "2031-11-11"),  // Tue
    (2031, .thanksgivingDay, "2031-11-27", "2031-11-27"),  // Thu
    (2031, .christmasDay, "2031-12-25", "2031-12-25"),  // Thu
    (2032, .newYearsDay, "2032-01-01", "2032-01-01"),  // Thu
    (2032, .martinLutherKingJrBirthday, "2032-01-19", "2032-01-19"),  // Mon
    (2032, .washingtonsBirthday, "2032-02-16", "2032-02-16"),  // Mon
    (2032, .memorialDay, "2032-05-31", "2032-05-31"),  // Mon
    (2032, .juneteenth, "2032-06-19", "2032-06-18"),  // Sat -> Fri
    (2032, .independenceDay, "2032-07-04", "2032-07-05"),  // Sun -> Mon
    (2032, .laborDay, "2032-09-06", "2032-09-06"),  // Mon
    (2032, .columbusDay, "2032-10-11", "2032-10-11"),  // Mon
    (2032, .veteransDay, "2032-11-11", "2032-11-11"),  // Thu
    (2032, .thanksgivingDay, "2032-11-25", "2032-11-25"),  // Thu
    (2032, .christmasDay, "2032-12-25", "2032-12-24"),  // Sat -> Fri
    (2033, .newYearsDay, "2033-01-01", "2032-12-31"),  // Sat -> Fri
    (2033, .martinLutherKingJrBirthday, "2033-01-17", "2033-01-17"),  // Mon
    (2033, .washingtonsBirthday, "2033-02-21", "2033-02-21"),  // Mon
    (2033, .memorialDay, "2033-05-30", "2033-05-30"),  // Mon
    (2033, .juneteenth, "2033-06-19", "2033-06-20"),  // Sun -> Mon
    (2033, .independenceDay, "2033-07-04", "2033-07-04"),  // Mon
    (2033, .laborDay, "2033-09-05", "2033-09-05"),  // Mon
    (2033, .columbusDay, "2033-10-10", "2033-10-10"),  // Mon
    (2033, .veteransDay, "2033-11-11", "2033-11-11"),  // Fri
    (2033, .thanksgivingDay, "2033-11-24", "2033-11-24"),  // Thu
    (2033, .christmasDay, "2033-12-25", "2033-12-26"),  // Sun -> Mon
    (2034, .newYearsDay, "2034-01-01", "2034-01-02"),  // Sun -> Mon
    (2034, .martinLutherKingJrBirthday, "2034-01-16", "2034-01-16"),  // Mon
    (2034, .washingtonsBirthday, "2034-02-20", "2034-02-20"),  // Mon
    (2034, .memorialDay, "2034-05-29", "2034-05-29"),  // Mon
    (2034, .juneteenth, "2034-06-19", "2034-06-19"),  // Mon
    (2034, .independenceDay, "2034-07-04", "2034-07-04"),  // Tue
    (2034, .laborDay, "2034-09-04", "2034-09-04"),  // Mon
    (2034, .columbusDay, "2034-10-09", "2034-10-09"),  // Mon
    (2034, .veteransDay, "2034-11-11", "2034-11-10"),  // Sat -> Fri
    (2034, .thanksgivingDay, "2034-11-23", "2034-11-23"),  // Thu
    (2034, .christmasDay, "2034-12-25", "2034-12-25"),  // Mon
    (2035, .newYearsDay, "2035-01-01", "2035-01-01"),  // Mon
    (2035, .martinLutherKingJrBirthday, "2035-01-15", "2035-01-15"),  // Mon
    (2035, .washingtonsBirthday, "2035-02-19", "2035-02-19"),  // Mon
    (2035, .memorialDay, "2035-05-28", "2035-05-28"),  // Mon
    (2035, .juneteenth, "2035-06-19", "2035-06-19"),  // Tue
    (2035, .independenceDay, "2035-07-04", "2035-07-04"),  // Wed
    (2035, .laborDay, "2035-09-03", "2035-09-03"),  // Mon
    (2035, .columbusDay, "2035-10-08", "2035-10-08"),  // Mon
    (2035, .veteransDay, "2035-11-11", "2035-11-12"),  // Sun -> Mon
    (2035, .thanksgivingDay, "2035-11-22", "2035-11-22"),  // Thu
    (2035, .christmasDay, "2035-12-25", "2035-12-25"),  // Tue
    (2036, .newYearsDay, "2036-01-01", "2036-01-01"),  // Tue
    (2036, .martinLutherKingJrBirthday, "2036-01-21", "2036-01-21"),  // Mon
    (2036, .washingtonsBirthday, "2036-02-18", "2036-02-18"),  // Mon
    (2036, .memorialDay, "2036-05-26", "2036-05-26"),  // Mon
    (2036, .juneteenth, "2036-06-19", "2036-06-19"),  // Thu
    (2036, .independenceDay, "2036-07-04", "2036-07-04"),  // Fri
    (2036, .laborDay, "2036-09-01", "2036-09-01"),  // Mon
    (2036, .columbusDay, "2036-10-13", "2036-10-13"),  // Mon
    (2036, .veteransDay, "2036-11-11", "2036-11-11"),  // Tue
    (2036, .thanksgivingDay, "2036-11-27", "2036-11-27"),  // Thu
    (2036, .christmasDay, "2036-12-25", "2036-12-25"),  // Thu
    (2037, .newYearsDay, "2037-01-01", "2037-01-01"),  // Thu
    (2037, .martinLutherKingJrBirthday, "2037-01-19", "2037-01-19"),  // Mon
    (2037, .washingtonsBirthday, "2037-02-16", "2037-02-16"),  // Mon
    (2037, .memorialDay, "2037-05-25", "2037-05-25"),  // Mon
    (2037, .juneteenth, "2037-06-19", "2037-06-19"),  // Fri
    (2037, .independenceDay, "2037-07-04", "2037-07-03"),  // Sat -> Fri
    (2037, .laborDay, "2037-09-07", "2037-09-07"),  // Mon
    (2037, .columbusDay, "2037-10-12", "2037-10-12"),  // Mon
    (2037, .veteransDay, "2037-11-11", "2037-11-11"),  // Wed
    (2037, .thanksgivingDay, "2037-11-26", "2037-11-26"),  // Thu
    (2037, .christmasDay, "2037-12-25", "2037-12-25"),  // Fri
    (2038, .newYearsDay, "2038-01-01", "2038-01-01"),  // Fri
    (2038, .martinLutherKingJrBirthday, "2038-01-18", "2038-01-18"),  // Mon
    (2038, .washingtonsBirthday, "2038-02-15", "2038-02-15"),  // Mon
    (2038, .memorialDay, "2038-05-31", "2038-05-31"),  // Mon
    (2038, .juneteenth, "2038-06-19", "2038-06-18"),  // Sat -> Fri
    (2038, .independenceDay, "2038-07-04", "2038-07-05"),  // Sun -> Mon
    (2038, .laborDay, "2038-09-06", "2038-09-06"),  // Mon
    (2038, .columbusDay, "2038-10-11", "2038-10-11"),  // Mon
    (2038, .veteransDay, "2038-11-11", "2038-11-11"),  // Thu
    (2038, .thanksgivingDay, "2038-11-25", "2038-11-25"),  // Thu
    (2038, .christmasDay, "2038-12-25", "2038-12-24"),  // Sat -> Fri
    (2039, .newYearsDay, "2039-01-01", "2038-12-31"),  // Sat -> Fri
    (2039, .martinLutherKingJrBirthday, "2039-01-17", "2039-01-17"),  // Mon
    (2039, .washingtonsBirthday, "2039-02-21", "2039-02-21"),  // Mon
    (2039, .memorialDay, "2039-05-30", "2039-05-30"),  // Mon
    (2039, .juneteenth, "2039-06-19", "2039-06-20"),  // Sun -> Mon
    (2039, .independenceDay, "2039-07-04", "2039-07-04"),  // Mon
    (2039, .laborDay, "2039-09-05", "2039-09-05"),  // Mon
    (2039, .columbusDay, "2039-10-10", "2039-10-10"),  // Mon
    (2039, .veteransDay, "2039-11-11", "2039-11-11"),  // Fri
    (2039, .thanksgivingDay, "2039-11-24", "2039-11-24"),  // Thu
    (2039, .christmasDay, "2039-12-25", "2039-12-26"),  // Sun -> Mon
    (2040, .newYearsDay, "2040-01-01", "2040-01-02"),  // Sun -> Mon
    (2040, .martinLutherKingJrBirthday, "2040-01-16", "2040-01-16"),  // Mon
    (2040, .washingtonsBirthday, "2040-02-20", "2040-02-20"),  // Mon
    (2040, .memorialDay, "2040-05-28", "2040-05-28"),  // Mon
    (2040, .juneteenth, "2040-06-19", "2040-06-19"),  // Tue
    (2040, .independenceDay, "2040-07-04", "2040-07-04"),  // Wed
    (2040, .laborDay, "2040-09-03", "2040-09-03"),  // Mon
    (2040, .columbusDay, "2040-10-08", "2040-10-08"),  // Mon
    (2040, .veteransDay, "2040-11-11", "2040-11-12"),  // Sun -> Mon
    (2040, .thanksgivingDay, "2040-11-22", "2040-11-22"),  // Thu
    (2040, .christmasDay, "2040-12-25", "2040-12-25"),  // Tue
]

/// The 2026-2027 list heraldd shipped before holidays were computed, word for word: the
/// computation must close exactly these days, with these names.
private let shippedList2026Through2027: [String: String] = [
    "2026-01-01": "New Year's Day",
    "2026-01-19": "Birthday of Martin Luther King, Jr.",
    "2026-02-16": "Washington's Birthday",
    "2026-05-25": "Memorial Day",
    "2026-06-19": "Juneteenth National Independence Day",
    "2026-07-03": "Independence Day (observed)",
    "2026-07-04": "Independence Day",
    "2026-09-07": "Labor Day",
    "2026-10-12": "Columbus Day",
    "2026-11-11": "Veterans Day",
    "2026-11-26": "Thanksgiving Day",
    "2026-12-25": "Christmas Day",
    "2027-01-01": "New Year's Day",
    "2027-01-18": "Birthday of Martin Luther King, Jr.",
    "2027-02-15": "Washington's Birthday",
    "2027-05-31": "Memorial Day",
    "2027-06-18": "Juneteenth National Independence Day (observed)",
    "2027-06-19": "Juneteenth National Independence Day",
    "2027-07-04": "Independence Day",
    "2027-07-05": "Independence Day (observed)",
    "2027-09-06": "Labor Day",
    "2027-10-11": "Columbus Day",
    "2027-11-11": "Veterans Day",
    "2027-11-25": "Thanksgiving Day",
    "2027-12-24": "Christmas Day (observed)",
    "2027-12-25": "Christmas Day",
    "2027-12-31": "New Year's Day 2028 (observed)",
]

@Suite("Federal holidays by rule")
struct FederalHolidaysTests {
    @Test("the holidays of 2026-2040 and their observed days", arguments: 2026...2040)
    func holidaysOfYear(_ year: Int) {
        let rows = expected.filter { $0.year == year }
        #expect(rows.count == 11)
        let computed = FederalHolidays.of(year: year)
        #expect(computed.map(\.holiday) == rows.map(\.holiday))
        for (row, held) in zip(rows, computed) {
            #expect(held.date == date(row.date), "\(year) \(row.holiday)")
            #expect(held.observed == date(row.observed), "\(year) \(row.holiday) observed")
        }
    }

    @Test("a day is a holiday exactly when the table names it, 2026-2040")
    func everyDayOfTheYears() {
        var named: [CivilDate: String] = [:]
        for row in expected {
            named[date(row.date)] = row.holiday.description
            if row.observed != row.date {
                let nextYear = date(row.observed).year != row.year ? " \(row.year)" : ""
                named[date(row.observed)] = row.holiday.description + nextYear + " (observed)"
            }
        }
        let first = date("2026-01-01").daysSinceEpoch
        let last = date("2040-12-31").daysSinceEpoch
        var holidays = 0
        for day in first...last {
            let civil = CivilDate(daysSinceEpoch: day)
            #expect(FederalHolidays.name(on: civil) == named[civil], "\(civil)")
            // The window calculator's fast test agrees with the names.
            #expect(FederalHolidays.isHoliday(day: day) == (named[civil] != nil), "\(civil)")
            if named[civil] != nil { holidays += 1 }
        }
        // 11 a year plus one observed day for each of the 25 weekend rows above.
        #expect(holidays == 15 * 11 + 25)
        for year in 2026...2040 {
            #expect(FederalHolidays.dates(in: year) == named.filter { $0.key.year == year }, "\(year)")
        }
    }

    @Test("weekend edge cases: New Year's Day 2028, Juneteenth, Christmas on a Saturday")
    func weekendEdges() {
        // New Year's Day 2028 is a Saturday: observed Friday 31 December 2027, the year before.
        #expect(date("2028-01-01").weekday == .sat)
        #expect(FederalHolidays.name(on: date("2027-12-31")) == "New Year's Day 2028 (observed)")
        #expect(FederalHolidays.name(on: date("2028-01-01")) == "New Year's Day")
        #expect(FederalHolidays.dates(in: 2028)[date("2027-12-31")] == nil)
        #expect(FederalHolidays.dates(in: 2027)[date("2027-12-31")] == "New Year's Day 2028 (observed)")
        // Juneteenth on a Saturday (2027) and on a Sunday (2033).
        #expect(FederalHolidays.name(on: date("2027-06-18")) == "Juneteenth National Independence Day (observed)")
        #expect(FederalHolidays.name(on: date("2033-06-20")) == "Juneteenth National Independence Day (observed)")
        #expect(FederalHolidays.name(on: date("2033-06-17")) == nil)
        // Christmas on a Saturday (2032): Friday the 24th; the Monday after is an ordinary day.
        #expect(FederalHolidays.name(on: date("2032-12-24")) == "Christmas Day (observed)")
        #expect(FederalHolidays.name(on: date("2032-12-27")) == nil)
        // New Year's Day 2034 is a Sunday: observed Monday 2 January, not on the Friday or
        // Saturday before.
        #expect(FederalHolidays.name(on: date("2033-12-30")) == nil)
        #expect(FederalHolidays.name(on: date("2033-12-31")) == nil)
        #expect(FederalHolidays.name(on: date("2034-01-02")) == "New Year's Day (observed)")
    }

    @Test("the computation closes exactly the days of the old 2026-2027 list")
    func sameAsTheOldList() {
        var computed = FederalHolidays.dates(in: 2026)
        computed.merge(FederalHolidays.dates(in: 2027)) { first, _ in first }
        #expect(Dictionary(uniqueKeysWithValues: computed.map { ($0.key.description, $0.value) }) == shippedList2026Through2027)
        #expect(StateRuleTable.shipped.federalHolidays)
        #expect(StateRuleTable.shipped.listedHolidays.isEmpty)
    }

    @Test("the table: listed dates add to the federal ones and rename them; federal ones can be switched off")
    func tableHolidays() {
        let table = StateRuleTable(listedHolidays: [date("2035-12-24"): "Christmas Eve", date("2035-12-25"): "Noël"])
        #expect(table.holiday(on: date("2035-11-22")) == "Thanksgiving Day")
        #expect(table.holiday(on: date("2035-12-24")) == "Christmas Eve")
        #expect(table.holiday(on: date("2035-12-25")) == "Noël")
        #expect(table.holiday(on: date("2035-12-26")) == nil)
        let listedOnly = StateRuleTable(federalHolidays: false, listedHolidays: [date("2035-12-24"): "Christmas Eve"])
        #expect(listedOnly.holiday(on: date("2035-11-22")) == nil)
        #expect(listedOnly.holiday(on: date("2035-12-24")) == "Christmas Eve")
    }

    /// Through the calculator heraldd uses, with the shipped table: nothing stops after a year.
    @Test("a state rule closed on holidays closes on 2035's holidays")
    func stateRuleClosesIn2035() throws {
        let calculator = WindowCalculator()
        let wide = try SendingWindow(hours: DailyHours(parsing: "06:00-22:00")!, timeZone: "America/Chicago")
        let alabama = try PhoneNumber.parse("+1 205 555 0123").get()
        let mississippi = try PhoneNumber.parse("+1 601 555 0123").get()
        let utah = try PhoneNumber.parse("+1 801 555 0123").get()
        #expect(StateRuleTable.shipped.rules["AL"]?.closedOnHolidays == true)
        #expect(StateRuleTable.shipped.rules["MS"]?.closedOnHolidays == false)

        // Thanksgiving 2035 is Thursday 22 November: Alabama waits for Friday 08:00.
        let thanksgiving = at("2035-11-22T10:00:00-06:00")
        #expect(calculator.evaluate(at: thanksgiving, window: wide, to: alabama, kind: .bulk)
            == .deferred(until: at("2035-11-23T08:00:00-06:00"), reason: .stateRule))
        #expect(calculator.evaluate(at: thanksgiving, window: wide, to: mississippi, kind: .bulk) == .allowed)
        // Utah (Mountain time) too; its window opens 08:00 MST = 09:00 CST.
        #expect(calculator.evaluate(at: thanksgiving, window: wide, to: utah, kind: .bulk)
            == .deferred(until: at("2035-11-23T09:00:00-06:00"), reason: .stateRule))

        // Veterans Day 2035 is a Sunday, observed Monday 12 November. Alabama is closed on Sundays
        // anyway, so a text from Saturday evening waits for Tuesday; Mississippi sends on Monday.
        let saturdayEvening = at("2035-11-10T20:30:00-06:00")
        #expect(calculator.evaluate(at: saturdayEvening, window: wide, to: alabama, kind: .bulk)
            == .deferred(until: at("2035-11-13T08:00:00-06:00"), reason: .stateRule))
        #expect(calculator.evaluate(at: saturdayEvening, window: wide, to: mississippi, kind: .bulk)
            == .deferred(until: at("2035-11-12T08:00:00-06:00"), reason: .stateRule))

        // Conversational texts are never held, holiday or not.
        #expect(calculator.evaluate(at: thanksgiving, window: wide, to: alabama, kind: .conversational) == .allowed)
    }
}
