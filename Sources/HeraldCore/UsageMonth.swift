import Foundation

/// Usage is counted per calendar month in the organization's timezone (docs/domain.md): a text sent at
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

extension UsageMonth {
    /// The month of `date` and the `count - 1` before it, newest first: what `heraldctl usage`
    /// lists (this month and each of the past 12).
    public func keys(endingAt date: Date, count: Int) -> [String] {
        (0..<count).compactMap { back in
            calendar.date(byAdding: .month, value: -back, to: date).map(key(for:))
        }
    }
}
