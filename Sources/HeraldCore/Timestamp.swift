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
