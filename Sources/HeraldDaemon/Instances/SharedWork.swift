import ServiceLifecycle
import Synchronization

/// Whether this instance runs the work one instance does for all that share a queue
/// (reconciliation, retention, consent expiry, reply forwarding): the lease service sets it at
/// each turn, the wrapped services wait on it. Alone on a queue, an instance always holds it.
final class SharedWork: Sendable {
    private let held: Mutex<Bool>
    /// How often a waiting service looks: several wait at once (a Doorbell wakes one), and the
    /// lease changes hands at most once a turn, seconds apart.
    private static let recheck: Duration = .milliseconds(200)

    init(held: Bool) {
        self.held = Mutex(held)
    }

    var isHeld: Bool { held.withLock { $0 } }

    func set(_ value: Bool) {
        held.withLock { $0 = value }
    }

    /// Returns once `isHeld == value`, or when the task is cancelled.
    func wait(until value: Bool) async {
        while isHeld != value, !Task.isCancelled {
            try? await Task.sleep(for: Self.recheck)
        }
    }
}

/// Runs a service only while this instance holds the shared work: started when the lease is
/// taken, cancelled when it goes to another instance (each wrapped service commits per batch,
/// so what it did stays done and the new holder goes on from there).
struct WhileHoldingSharedWork<Wrapped: Service>: Service {
    let sharedWork: SharedWork
    let service: Wrapped

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await cancelWhenGracefulShutdown { [sharedWork] in await sharedWork.wait(until: true) }
            guard sharedWork.isHeld, !Task.isShuttingDownGracefully, !Task.isCancelled else { continue }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await service.run() }
                group.addTask { [sharedWork] in await sharedWork.wait(until: false) }
                await group.next()
                group.cancelAll()
            }
        }
    }
}
