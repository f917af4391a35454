import Foundation

/// Usage is counted per calendar month in the organization's timezone (SPEC §2): a text sent at
/// 23:30 on 31 October in Chicago belongs to October, whatever UTC says.
public struct UsageMonth: Sendable {
    private var calendar: Calendar

    public init(timeZone: TimeZone) {
        calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
    }

    /// `2026-11`
    public func key(for date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month], from: date)
        let month = parts.month ?? 1
        return "\(parts.year ?? 1970)-\(month < 10 ? "0" : "")\(month)"
    }
}
