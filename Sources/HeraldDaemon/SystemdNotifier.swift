import CSystemd
import Glibc

/// sd_notify(3): a no-op unless systemd (or a test) set NOTIFY_SOCKET.
enum SystemdNotifier {
    static func notify(_ state: String) {
        _ = sd_notify(0, state)
    }

    /// Whether anyone listens: lets callers skip work whose only purpose is a notification.
    static var isEnabled: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// How often systemd wants WATCHDOG=1 (half its WatchdogSec), or nil when no watchdog is set.
    static func watchdogInterval() -> Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(microseconds / 2))
    }
}
