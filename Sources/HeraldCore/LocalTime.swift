// Local wall-clock values the sending-window rules are written in (docs/windows.md): a time of day,
// a span of hours on one day, a weekday, a calendar date. Core's own, so the rules need no
// configuration module; `HeraldConfig`'s `TimeOfDay` and `Weekday` map onto them one to one
// (same fields, same raw values).

/// A time of day with minute precision, 24-hour clock: "08:00", "21:30".
public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 0 (00:00) ... 1439 (23:59).
    public let minutesSinceMidnight: Int

    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        minutesSinceMidnight = hour * 60 + minute
    }

    /// `HH:MM` or `H:MM`. Seconds are refused rather than dropped.
    public init?(parsing text: Substring) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2,
              (1...2).contains(parts[0].count), parts[1].count == 2,
              parts[0].allSatisfy(\.isASCIIDigitForTime), parts[1].allSatisfy(\.isASCIIDigitForTime),
              let hour = Int(parts[0]), let minute = Int(parts[1])
        else { return nil }
        self.init(hour: hour, minute: minute)
    }

    public init?(parsing text: String) { self.init(parsing: text[...]) }

    public var hour: Int { minutesSinceMidnight / 60 }
    public var minute: Int { minutesSinceMidnight % 60 }

    public var description: String {
        (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
    }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool {
        lhs.minutesSinceMidnight < rhs.minutesSinceMidnight
    }
}

/// Hours on one local day: from `start` (included) to `end` (excluded). An end earlier than the
/// start runs past midnight into the next day (22:00–02:00). Start equal to end is refused: it
/// would read as either nothing or everything.
public struct DailyHours: Sendable, Hashable, CustomStringConvertible {
    public let start: TimeOfDay
    public let end: TimeOfDay

    public init(start: TimeOfDay, end: TimeOfDay) throws(WindowRuleError) {
        guard start != end else { throw .emptyHours(start) }
        self.start = start
        self.end = end
    }

    /// `"HH:MM-HH:MM"` (an en dash is accepted too); nil when the text is not two times or the
    /// times are equal.
    public init?(parsing text: String) {
        let separators: Set<Character> = ["-", "–"]
        let parts = text.split(omittingEmptySubsequences: false, whereSeparator: { separators.contains($0) })
        guard parts.count == 2,
              let start = TimeOfDay(parsing: parts[0].trimmingASCIISpaces),
              let end = TimeOfDay(parsing: parts[1].trimmingASCIISpaces),
              let hours = try? DailyHours(start: start, end: end)
        else { return nil }
        self = hours
    }

    /// Hours whose literal text is known to be valid: for built-in tables.
    static func fixed(_ start: Int, _ end: Int) -> DailyHours {
        // swiftlint:disable:next force_try
        try! DailyHours(start: TimeOfDay(hour: start / 100, minute: start % 100)!, end: TimeOfDay(hour: end / 100, minute: end % 100)!)
    }

    public var crossesMidnight: Bool { end < start }

    /// "08:00-21:00", the form the rules file uses.
    public var description: String { "\(start)-\(end)" }
}

/// A day of the week, Monday first as ISO 8601 counts. Raw values are what configuration files
/// and `--days` use.
public enum Weekday: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case mon, tue, wed, thu, fri, sat, sun

    /// Monday 0 ... Sunday 6.
    public var isoIndex: Int {
        switch self {
        case .mon: 0
        case .tue: 1
        case .wed: 2
        case .thu: 3
        case .fri: 4
        case .sat: 5
        case .sun: 6
        }
    }

    /// `Calendar` numbering: Sunday is 1, Saturday is 7.
    public var calendarWeekday: Int { (isoIndex + 1) % 7 + 1 }

    public init?(calendarWeekday: Int) {
        guard (1...7).contains(calendarWeekday) else { return nil }
        self = Self.allCases[(calendarWeekday + 5) % 7]
    }

    public init(isoIndex: Int) {
        self = Self.allCases[((isoIndex % 7) + 7) % 7]
    }

    /// "Mon".
    public var shortName: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.isoIndex < rhs.isoIndex }
}

/// A date on the proleptic Gregorian calendar, without a timezone: "2026-11-26".
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CivilDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Exactly `YYYY-MM-DD`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigitForTime) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Days since 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int64 { CivilDate.days(year: year, month: month, day: day) }

    public init(daysSinceEpoch days: Int64) {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        year = Int(yoe + era * 400 + (month <= 2 ? 1 : 0))
        self.month = Int(month)
        self.day = Int(day)
    }

    public var weekday: Weekday { Weekday(isoIndex: CivilDate.isoWeekdayIndex(ofDay: daysSinceEpoch)) }

    public var description: String {
        let y = String(year)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y
            + (month < 10 ? "-0" : "-") + String(month) + (day < 10 ? "-0" : "-") + String(day)
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Howard Hinnant's days_from_civil.
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// 1970-01-01 was a Thursday (index 3, Monday 0).
    static func isoWeekdayIndex(ofDay days: Int64) -> Int {
        Int(((days % 7) + 7 + 3) % 7)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// A sending-window or rules value that cannot be used.
public enum WindowRuleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Start equal to end (docs/windows.md: a configuration error).
    case emptyHours(TimeOfDay)
    /// A window that opens on no day would never send.
    case noDays
    /// Not an IANA region name Foundation knows ("CST" and other abbreviations are refused:
    /// they are fixed offsets without daylight saving).
    case unknownTimeZone(String)

    public var description: String {
        switch self {
        case .emptyHours(let time):
            "the window starts and ends at \(time): it would be empty; to send around the clock use 00:00-23:59"
        case .noDays:
            "the window opens on no day, so nothing would ever send"
        case .unknownTimeZone(let identifier):
            "\(String(reflecting: identifier)) is not an IANA timezone (e.g. \"America/Chicago\")"
        }
    }
}

extension Character {
    fileprivate var isASCIIDigitForTime: Bool { ("0"..."9").contains(self) }
}

extension Substring {
    fileprivate var trimmingASCIISpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
