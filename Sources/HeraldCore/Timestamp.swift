import Foundation

/// The time formats of the public SQL contract: ISO 8601 with `Z` or an offset (fractional seconds
/// allowed), SQLite's own `YYYY-MM-DD HH:MM:SS` (taken as UTC, as SQLite's datetime() writes it),
/// or Unix seconds.
public enum Timestamp {
    public static func parse(_ text: String) -> Date? {
        // The dash test first: it spares every ISO date a failed strtod.
        if !text.contains("-"), let seconds = Double(text), seconds.isFinite {
            return Date(timeIntervalSince1970: seconds)
        }
        guard let fields = Fields(text) else { return nil }
        if let date = utc(text, fields) { return date }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        let sqliteStyle = text.replacingOccurrences(of: " ", with: "T")
        if sqliteStyle != text || !text.hasSuffix("Z") {
            let withZone = sqliteStyle.hasSuffix("Z") ? sqliteStyle : sqliteStyle + "Z"
            if let date = try? Date(withZone, strategy: .iso8601) { return date }
            if let date = try? Date(withZone, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        }
        return nil
    }

    /// `2026-11-23T14:00:00.123Z`: what Herald writes back, rounded to the millisecond it stores.
    /// (The format style truncates, so a binary fraction just below .123 would print as .122.)
    public static func format(_ date: Date) -> String {
        let millis = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (millis / 1000).rounded(.down)
        let whole = Date(timeIntervalSince1970: seconds).formatted(.iso8601) // 2026-11-23T14:00:00Z
        return String(whole.dropLast()) + String(format: ".%03dZ", Int(millis - seconds * 1000))
    }

    /// The two forms producers write most, `YYYY-MM-DDTHH:MM:SSZ` and SQLite's `YYYY-MM-DD
    /// HH:MM:SS` (UTC), by arithmetic: Foundation's parser was an eighth of the ingest's CPU.
    /// Anything else (offsets, fractions, years before 1600) is left to Foundation.
    private static func utc(_ text: String, _ fields: Fields) -> Date? {
        let chars = text.utf8
        let zulu = chars.count == 20 && chars.last == UInt8(ascii: "Z") && fields.separator == UInt8(ascii: "T")
        let sqlite = chars.count == 19 && fields.separator == UInt8(ascii: " ")
        // Before the Gregorian reform Foundation counts Julian days: left to it.
        guard zulu || sqlite, fields.dashesAndColons, fields.year >= 1600 else { return nil }
        // Days from 1970-01-01 to the civil date (Hinnant's days_from_civil).
        let year = fields.year - (fields.month <= 2 ? 1 : 0)
        let era = year / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (fields.month + (fields.month > 2 ? -3 : 9)) + 2) / 5 + fields.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + fields.hour * 3_600 + fields.minute * 60 + fields.second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// `YYYY-MM-DD?HH:MM:SS`, the first 19 characters every textual form starts with, each field
    /// in range: Foundation's parser rolls out-of-range fields over (25:00 becomes 01:00 the next
    /// day, 30 February becomes 2 March), and a typo must be rejected instead.
    private struct Fields {
        var year, month, day, hour, minute, second: Int
        /// The character between date and time: `T`, or a space in SQLite's form.
        var separator: UInt8
        /// `YYYY-MM-DD` and `HH:MM:SS`; other separators are Foundation's to judge.
        var dashesAndColons: Bool

        init?(_ text: String) {
            let chars = Array(text.utf8.prefix(19))
            guard chars.count == 19 else { return nil }
            func field(_ range: Range<Int>) -> Int? {
                chars[range].allSatisfy { (0x30...0x39).contains($0) } ? chars[range].reduce(0) { $0 * 10 + Int($1 - 0x30) } : nil
            }
            guard let year = field(0..<4), let month = field(5..<7), let day = field(8..<10),
                  let hour = field(11..<13), let minute = field(14..<16), let second = field(17..<19),
                  (1...12).contains(month) else { return nil }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            guard (1...days).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
            (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
            separator = chars[10]
            dashesAndColons = chars[4] == UInt8(ascii: "-") && chars[7] == UInt8(ascii: "-")
                && chars[13] == UInt8(ascii: ":") && chars[16] == UInt8(ascii: ":")
        }
    }
}
