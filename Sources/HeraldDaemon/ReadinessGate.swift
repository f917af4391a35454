import Synchronization

/// READY=1 goes out once every listener is bound (docs/systemd.md): systemd, and `systemctl start`
/// waiting on it, may then rely on both the webhook port and the admin socket.
final class ReadinessGate: Sendable {
    private let waiting: Mutex<Set<String>>
    private let onReady: @Sendable () async -> Void

    init(listeners: Set<String>, onReady: @escaping @Sendable () async -> Void) {
        waiting = Mutex(listeners)
        self.onReady = onReady
    }

    func bound(_ listener: String) async {
        let allBound = waiting.withLock { waiting -> Bool in
            guard waiting.remove(listener) != nil else { return false }
            return waiting.isEmpty
        }
        if allBound {
            SystemdNotifier.notify("READY=1")
            await onReady()
        }
    }
}
