import Foundation

/// The time formats of the public SQL contract: ISO 8601 with `Z` or an offset (fractional seconds
/// allowed), SQLite's own `YYYY-MM-DD HH:MM:SS` (taken as UTC, as SQLite's datetime() writes it),
/// or Unix seconds.
public enum Timestamp {
    public static func parse(_ text: String) -> Date? {
        if let seconds = Double(text), seconds.isFinite, !text.contains("-") {
            return Date(timeIntervalSince1970: seconds)
        }
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

    /// `2026-11-23T14:00:00.123Z`: what Herald writes back.
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
