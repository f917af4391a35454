import Foundation

/// Number formats for the report lines.
enum Formatting {
    static func seconds(_ duration: Duration) -> Double {
        let (whole, fraction) = duration.components
        return Double(whole) + Double(fraction) / 1e18
    }

    static func rate(_ count: Int, _ duration: Duration) -> Double {
        Double(count) / max(seconds(duration), 1e-9)
    }

    static func time(_ duration: Duration) -> String { String(format: "%.3f s", seconds(duration)) }

    static func whole(_ value: Double) -> String { String(format: "%.0f", value) }

    /// "commits (messages per commit)" for one kind of transition.
    static func commits(_ commits: [String: Int], _ state: String, messages: Int) -> String {
        let count = commits[state] ?? 0
        guard count > 0 else { return "0" }
        return "\(count) (\(String(format: "%.1f", Double(messages) / Double(count))))"
    }

    static func counts(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
