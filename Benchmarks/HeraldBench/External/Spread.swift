import Foundation

/// A figure measured several times: the median is what is reported, the range shows the noise
/// of a shared machine (the ceiling itself has varied by a factor of two between runs).
struct Spread {
    var values: [Double]

    var median: Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    var low: Double { values.min() ?? .nan }
    var high: Double { values.max() ?? .nan }

    /// "5,336 (5,100–6,014)" with `digits` decimals.
    func text(_ digits: Int = 0) -> String {
        "\(Self.format(median, digits)) (\(Self.format(low, digits))–\(Self.format(high, digits)))"
    }

    /// Fixed decimals with thousands separators. Formatted by hand: Foundation's NumberFormatter
    /// on Linux ignored maximumFractionDigits.
    static func format(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "–" }
        let plain = String(format: "%.\(digits)f", value)
        let negative = plain.hasPrefix("-")
        let unsigned = negative ? String(plain.dropFirst()) : plain
        let parts = unsigned.split(separator: ".", maxSplits: 1)
        var whole = ""
        for (offset, digit) in parts[0].reversed().enumerated() {
            if offset > 0, offset % 3 == 0 { whole.append(",") }
            whole.append(digit)
        }
        return (negative ? "-" : "") + String(whole.reversed()) + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// Nearest-rank percentile of single measurements (p50, p90 of the idle texts).
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
