/// One of the eleven legal public holidays of 5 U.S.C. 6103(a).
public enum FederalHoliday: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case newYearsDay
    case martinLutherKingJrBirthday
    case washingtonsBirthday
    case memorialDay
    case juneteenth
    case independenceDay
    case laborDay
    case columbusDay
    case veteransDay
    case thanksgivingDay
    case christmasDay

    /// The name the statute gives it.
    public var description: String {
        switch self {
        case .newYearsDay: "New Year's Day"
        case .martinLutherKingJrBirthday: "Birthday of Martin Luther King, Jr."
        case .washingtonsBirthday: "Washington's Birthday"
        case .memorialDay: "Memorial Day"
        case .juneteenth: "Juneteenth National Independence Day"
        case .independenceDay: "Independence Day"
        case .laborDay: "Labor Day"
        case .columbusDay: "Columbus Day"
        case .veteransDay: "Veterans Day"
        case .thanksgivingDay: "Thanksgiving Day"
        case .christmasDay: "Christmas Day"
        }
    }

    /// Month and day of the holidays fixed to a date; nil for those on a weekday of a month.
    public var fixedDate: (month: Int, day: Int)? {
        switch self {
        case .newYearsDay: (1, 1)
        case .juneteenth: (6, 19)
        case .independenceDay: (7, 4)
        case .veteransDay: (11, 11)
        case .christmasDay: (12, 25)
        default: nil
        }
    }
}

/// A holiday of one year: its date under the statute and the weekday it is observed on.
public struct FederalHolidayDate: Sendable, Hashable {
    public var holiday: FederalHoliday
    /// The date 5 U.S.C. 6103(a) names.
    public var date: CivilDate
    /// The date itself on a weekday; the Friday before when it falls on a Saturday, the Monday
    /// after when it falls on a Sunday (5 U.S.C. 6103(b), Executive Order 11582). New Year's Day
    /// on a Saturday is thus observed on 31 December of the year before.
    public var observed: CivilDate

    public init(holiday: FederalHoliday, date: CivilDate, observed: CivilDate) {
        self.holiday = holiday
        self.date = date
        self.observed = observed
    }
}

/// The US federal holidays of any year, computed from the rules of 5 U.S.C. 6103, for state
/// rules with `closed_on_holidays` (docs/windows.md rule 3).
///
/// Computed rather than listed so that holiday closures never silently stop when a list runs
/// out. The rules are the statute as it stands since Juneteenth was added (2021); earlier years
/// are not modelled, since Herald only schedules forward. Inauguration Day (6103(c)) is left
/// out: it is a holiday for federal employees around Washington, DC only.
///
/// Both the holiday and its observed day count as holidays (`name(on:)`): the state statutes say
/// "legal holiday" or "national holiday" without saying which day they mean, and the two readings
/// disagree only when a fixed-date holiday falls on a weekend. Closing both is the conservative
/// reading, as with uncertain rules that ship enabled: a needless closure costs a day's delay, a
/// missing one can cost a violation. It is also what the shipped list of 2026-2027 did.
public enum FederalHolidays {
    /// The eleven holidays of `year`, in calendar order. An observed day may fall in the year
    /// before (New Year's Day on a Saturday).
    public static func of(year: Int) -> [FederalHolidayDate] {
        FederalHoliday.allCases.map { holiday in
            let date: CivilDate
            if let fixed = holiday.fixedDate {
                date = CivilDate(year: year, month: fixed.month, day: fixed.day)!
            } else {
                date = floatingDate(holiday, year: year)
            }
            let observed: Int64 = switch date.weekday {
            case .sat: date.daysSinceEpoch - 1
            case .sun: date.daysSinceEpoch + 1
            default: date.daysSinceEpoch
            }
            return FederalHolidayDate(holiday: holiday, date: date, observed: CivilDate(daysSinceEpoch: observed))
        }
    }

    /// Every date rules with `closed_on_holidays` treat as a federal holiday in calendar year
    /// `year` (holidays and observed days), with its name: what `name(on:)` answers for that year.
    public static func dates(in year: Int) -> [CivilDate: String] {
        var result: [CivilDate: String] = [:]
        for held in of(year: year) + of(year: year + 1) {
            for date in [held.date, held.observed] where date.year == year {
                result[date] = name(on: date)
            }
        }
        return result
    }

    /// The holiday `date` is, or is observed for: "Independence Day", "Independence Day
    /// (observed)", "New Year's Day 2028 (observed)" on 2027-12-31; nil on any other day.
    public static func name(on date: CivilDate) -> String? {
        let weekday = CivilDate.isoWeekdayIndex(ofDay: date.daysSinceEpoch)
        guard let match = match(month: date.month, day: date.day, isoWeekday: weekday) else { return nil }
        guard match.observed else { return match.holiday.description }
        let nextYear = match.holiday == .newYearsDay && date.month == 12
        return match.holiday.description + (nextYear ? " \(date.year + 1)" : "") + " (observed)"
    }

    /// `name(on:) != nil` for a day counted from 1970-01-01, without building strings: the window
    /// calculator asks this for every local day it looks at.
    @inline(__always)
    static func isHoliday(day: Int64) -> Bool {
        let date = CivilDate(daysSinceEpoch: day)
        return match(month: date.month, day: date.day, isoWeekday: CivilDate.isoWeekdayIndex(ofDay: day)) != nil
    }

    // MARK: - Rules

    /// By ISO weekday index (Monday 0), which costs nothing to get from a day number.
    private static func match(month: Int, day: Int, isoWeekday: Int) -> (holiday: FederalHoliday, observed: Bool)? {
        if let fixed = fixedHoliday(month: month, day: day) { return (fixed, false) }
        switch isoWeekday {
        case 0:  // Monday
            switch month {
            case 1 where (15...21).contains(day): return (.martinLutherKingJrBirthday, false)  // third Monday
            case 2 where (15...21).contains(day): return (.washingtonsBirthday, false)         // third Monday
            case 5 where day >= 25: return (.memorialDay, false)                                 // last Monday
            case 9 where day <= 7: return (.laborDay, false)                                     // first Monday
            case 10 where (8...14).contains(day): return (.columbusDay, false)                  // second Monday
            default: break
            }
            // A fixed-date holiday on the Sunday before.
            if day > 1, let fixed = fixedHoliday(month: month, day: day - 1) { return (fixed, true) }
        case 3:  // Thursday
            if month == 11, (22...28).contains(day) { return (.thanksgivingDay, false) }         // fourth Thursday
        case 4:  // Friday
            // A fixed-date holiday on the Saturday after; 31 December is Friday before 1 January.
            if month == 12, day == 31 { return (.newYearsDay, true) }
            if let fixed = fixedHoliday(month: month, day: day + 1) { return (fixed, true) }
        default:
            break
        }
        return nil
    }

    private static func fixedHoliday(month: Int, day: Int) -> FederalHoliday? {
        switch (month, day) {
        case (1, 1): .newYearsDay
        case (6, 19): .juneteenth
        case (7, 4): .independenceDay
        case (11, 11): .veteransDay
        case (12, 25): .christmasDay
        default: nil
        }
    }

    private static func floatingDate(_ holiday: FederalHoliday, year: Int) -> CivilDate {
        switch holiday {
        case .martinLutherKingJrBirthday: nth(3, .mon, month: 1, year: year)
        case .washingtonsBirthday: nth(3, .mon, month: 2, year: year)
        case .memorialDay: CivilDate(daysSinceEpoch: nth(1, .mon, month: 6, year: year).daysSinceEpoch - 7)
        case .laborDay: nth(1, .mon, month: 9, year: year)
        case .columbusDay: nth(2, .mon, month: 10, year: year)
        case .thanksgivingDay: nth(4, .thu, month: 11, year: year)
        default: preconditionFailure("\(holiday) is fixed to a date")
        }
    }

    /// The `n`th `weekday` of a month.
    private static func nth(_ n: Int, _ weekday: Weekday, month: Int, year: Int) -> CivilDate {
        let first = CivilDate(year: year, month: month, day: 1)!
        let offset = (weekday.isoIndex - first.weekday.isoIndex + 7) % 7
        return CivilDate(daysSinceEpoch: first.daysSinceEpoch + Int64(offset + 7 * (n - 1)))
    }
}
