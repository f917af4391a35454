import HeraldCore
import HeraldStore

/// The queue at a glance: messages still in Herald's hands by state, and the send rate. systemd
/// shows `line` as the unit's Status (`systemctl status heraldd`); the admin socket's `status`
/// command can return the same values.
public struct QueueStatus: Sendable, Equatable {
    /// Non-final states only (see `QueueDatabase.countsByState`).
    public var depth: [MessageState: Int]
    /// Messages the carrier accepted per second over the last minute.
    public var sendRate: Double

    public init(depth: [MessageState: Int], sendRate: Double) {
        self.depth = depth
        self.sendRate = sendRate
    }

    /// Reads the depth from the store (index-only) and the rate from the daemon's counters.
    public static func current(database: QueueDatabase, activity: ActivityCounters) async throws -> QueueStatus {
        QueueStatus(depth: try await database.countsByState(), sendRate: activity.sendRate())
    }

    /// `queued 120, scheduled 5400, awaiting consent 0, sending 64, sent/s 812 (1m)`
    public var line: String {
        let states: [(String, MessageState)] = [
            ("queued", .queued), ("scheduled", .scheduled), ("awaiting consent", .awaitingConsent), ("sending", .sending),
        ]
        let counts = states.map { name, state in "\(name) \(depth[state] ?? 0)" }
        return (counts + ["sent/s \(Self.format(rate: sendRate)) (1m)"]).joined(separator: ", ")
    }

    /// Whole numbers once the rate is large enough for decimals to be noise.
    static func format(rate: Double) -> String {
        if rate >= 10 { return String(Int(rate.rounded())) }
        let tenths = Int((rate * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
