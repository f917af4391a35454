import Foundation

/// The time formats of the public SQL contract: ISO 8601 with `Z` or an offset (fractional seconds
/// allowed), SQLite's own `YYYY-MM-DD HH:MM:SS` (taken as UTC, as SQLite's datetime() writes it),
/// or Unix seconds.
public enum Timestamp {
    public static func parse(_ text: String) -> Date? {
        if let seconds = Double(text), seconds.isFinite, !text.contains("-") {
            return Date(timeIntervalSince1970: seconds)
        }
        guard fieldsInRange(text) else { return nil }
        if let date = utc(text) { return date }
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
    /// Anything else (offsets, fractions, years before 1600) is left to Foundation. Fields are
    /// checked already.
    private static func utc(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        let zulu = chars.count == 20 && chars[10] == UInt8(ascii: "T") && chars[19] == UInt8(ascii: "Z")
        let sqlite = chars.count == 19 && chars[10] == UInt8(ascii: " ")
        guard zulu || sqlite, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
              chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":") else { return nil }
        func field(_ start: Int, _ count: Int) -> Int {
            chars[start..<(start + count)].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        // Days from 1970-01-01 to the civil date (Hinnant's days_from_civil).
        // Before the Gregorian reform Foundation counts Julian days: left to it.
        guard field(0, 4) >= 1600 else { return nil }
        let month = field(5, 2), day = field(8, 2)
        let year = field(0, 4) - (month <= 2 ? 1 : 0)
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + field(11, 2) * 3_600 + field(14, 2) * 60 + field(17, 2)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Foundation's parser rolls out-of-range fields over (25:00 becomes 01:00 the next day,
    /// 30 February becomes 2 March); a typo in `YYYY-MM-DD?HH:MM:SS` must be rejected instead.
    private static func fieldsInRange(_ text: String) -> Bool {
        let chars = Array(text.utf8.prefix(19))
        guard chars.count == 19 else { return false }
        func field(_ range: Range<Int>) -> Int? {
            chars[range].allSatisfy { (0x30...0x39).contains($0) } ? Int(String(decoding: chars[range], as: UTF8.self)) : nil
        }
        guard let year = field(0..<4), let month = field(5..<7), let day = field(8..<10),
              let hour = field(11..<13), let minute = field(14..<16), let second = field(17..<19),
              (1...12).contains(month) else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day) && hour < 24 && minute < 60 && second < 60
    }
}
