import CSystemd

/// sd_notify(3): a no-op unless systemd (or a test) set NOTIFY_SOCKET.
enum SystemdNotifier {
    static func notify(_ state: String) {
        _ = sd_notify(0, state)
    }
}
