import Foundation

/// An organization's sending window (docs/domain.md, docs/windows.md rule 1): local wall-clock hours in the
/// organization's timezone, on some or all weekdays.
///
/// - A window whose end is earlier than its start crosses midnight: 22:00–02:00 opens at 22:00
///   and closes at 02:00 the next morning. `days` name the day a window *opens* on, so with
///   `days = [.fri]` that window runs Friday 22:00 to Saturday 02:00.
/// - Start equal to end is refused (a configuration error, docs/windows.md).
/// - The start is included, the end is not: an 08:00–16:00 window sends at 15:59:59, not at 16:00.
/// - DST: a start or end inside the spring-forward gap means the first valid instant after it;
///   one inside the fall-back overlap means its first occurrence.
public struct SendingWindow: Sendable, Hashable, CustomStringConvertible {
    public let hours: DailyHours
    /// Days on which the window opens; all seven by default.
    public let days: Set<Weekday>
    /// IANA name of the organization's timezone, e.g. "America/Chicago".
    public let timeZone: String

    /// Resolved once here so evaluating a message never looks the zone up again.
    let offsets: ZoneOffsets
    let schedule: DaySchedule

    public var start: TimeOfDay { hours.start }
    public var end: TimeOfDay { hours.end }

    public init(hours: DailyHours, days: Set<Weekday> = Set(Weekday.allCases), timeZone: String) throws(WindowRuleError) {
        guard !days.isEmpty else { throw .noDays }
        guard let offsets = ZoneOffsets.named(timeZone) else { throw .unknownTimeZone(timeZone) }
        self.hours = hours
        self.days = days
        self.timeZone = timeZone
        self.offsets = offsets
        schedule = DaySchedule(Weekday.allCases.map { days.contains($0) ? hours : nil })
    }

    public init(start: TimeOfDay, end: TimeOfDay, days: Set<Weekday> = Set(Weekday.allCases), timeZone: String) throws(WindowRuleError) {
        try self.init(hours: DailyHours(start: start, end: end), days: days, timeZone: timeZone)
    }

    /// docs/domain.md's default: 08:00–16:00 every day in America/Chicago.
    public static let `default`: SendingWindow = {
        // swiftlint:disable:next force_try
        try! SendingWindow(hours: .fixed(800, 1600), timeZone: "America/Chicago")
    }()

    public var crossesMidnight: Bool { hours.crossesMidnight }

    /// "08:00-16:00 mon-fri America/Chicago".
    public var description: String {
        let dayText = days.count == 7 ? "every day" : days.sorted().map(\.rawValue).joined(separator: ",")
        return "\(hours) \(dayText) \(timeZone)"
    }

    /// `date` as ISO 8601 with the organization's UTC offset at that instant:
    /// `2026-11-24T08:00:00-06:00`. Fractional seconds are kept to the millisecond when present.
    public func localTimestamp(_ date: Date) -> String {
        LocalTimestamp.format(date, offsets: offsets)
    }

    public static func == (lhs: SendingWindow, rhs: SendingWindow) -> Bool {
        lhs.hours == rhs.hours && lhs.days == rhs.days && lhs.timeZone == rhs.timeZone
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hours)
        hasher.combine(days)
        hasher.combine(timeZone)
    }
}

/// ISO 8601 with a local offset, written by hand (no `DateFormatter`).
public enum LocalTimestamp {
    /// `date` in the IANA zone `timeZone`, e.g. `2026-03-08T03:00:00-05:00`; nil for an unknown zone.
    public static func format(_ date: Date, timeZone: String) -> String? {
        ZoneOffsets.named(timeZone).map { format(date, offsets: $0) }
    }

    static func format(_ date: Date, offsets: ZoneOffsets) -> String {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let whole = ZoneOffsets.floorDivide(totalMillis, 1000)
        let millis = Int(totalMillis - whole * 1000)
        let offset = offsets.offset(at: whole)
        let wall = whole + offset
        let day = ZoneOffsets.floorDivide(wall, 86_400)
        let secondOfDay = Int(wall - day * 86_400)
        var text = CivilDate(daysSinceEpoch: day).description + "T"
        text += twoDigits(secondOfDay / 3600) + ":" + twoDigits(secondOfDay / 60 % 60) + ":" + twoDigits(secondOfDay % 60)
        if millis > 0 {
            text += "." + String(String(millis + 1000).dropFirst())
        }
        let absolute = Int(abs(offset))
        text += (offset < 0 ? "-" : "+") + twoDigits(absolute / 3600) + ":" + twoDigits(absolute / 60 % 60)
        return text
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0" + String(value) : String(value)
    }
}
