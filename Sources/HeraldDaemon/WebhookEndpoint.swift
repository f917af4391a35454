import HeraldConfig
import Synchronization

/// The base URL the carrier calls back: `webhooks.public_url`, or, with `listen = "HOST:0"`, the
/// address the listener was bound to. Port 0 lets tests and development set-ups run many daemons
/// without picking ports in advance (a port found free and then released can be taken by anyone
/// before heraldd binds it); the URL is then known only once the listener is up.
final class WebhookEndpoint: Sendable {
    private struct State {
        var url: String?
        var nextWaiter = 0
        var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
        var cancelled: Set<Int> = []
    }

    private let state: Mutex<State>
    private let listenHost: String
    private let configuredURL: String
    let portChosenBySystem: Bool

    init(_ webhooks: HeraldConfiguration.Webhooks) {
        listenHost = webhooks.listenHost
        configuredURL = webhooks.publicURL
        portChosenBySystem = webhooks.listenPort == 0
        state = Mutex(State(url: portChosenBySystem ? nil : webhooks.publicURL))
    }

    /// The base URL, without a trailing slash; nil while a system-chosen port is not bound yet.
    var url: String? { state.withLock { $0.url } }

    /// The base URL, or `public_url` before a system-chosen port is bound: nothing that tells the
    /// carrier a URL runs before then (the dispatcher waits in ``WaitsForWebhookEndpoint``).
    var current: String { url ?? configuredURL }

    /// Records the port the webhook listener got.
    func bound(port: Int) {
        guard portChosenBySystem else { return }
        let url = "http://\(Self.dialable(listenHost)):\(port)"
        let waiters = state.withLock { state in
            state.url = url
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the URL is known, or when the task is cancelled.
    func waitUntilKnown() async {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.url != nil || state.cancelled.remove(id) != nil { return true }
                    state.waiting[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let waiter = state.waiting.removeValue(forKey: id) { return waiter }
                state.cancelled.insert(id)
                return nil
            }
            waiter?.resume()
        }
    }

    /// A wildcard bind address is reached on loopback; an IPv6 host needs brackets in a URL.
    static func dialable(_ host: String) -> String {
        switch host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::": "[::1]"
        default: host.contains(":") ? "[\(host)]" : host
        }
    }
}
