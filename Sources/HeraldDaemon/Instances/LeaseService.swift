import Foundation
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle

/// This instance's turns on a shared queue (docs/instances.md): every third of a lease it writes
/// its heartbeat and takes, renews or hands back sender leases as the store's lease rule plans;
/// the holder of the shared work also recovers the texts a dead instance left `sending`. A clean
/// stop hands everything back at once. Started before the dispatcher, so stopped after it: the
/// leases go only once this instance's last posts are answered.
final class LeaseService: Service {
    struct Settings: Sendable {
        var leaseTime: TimeInterval
        var unknownOutcome: UnknownOutcomePolicy
    }

    private let leases: any InstanceLeases
    private let instance: String
    private let settings: Settings
    private let sharedWork: SharedWork
    private let policy: DispatchPolicy
    private let wake: @Sendable () -> Void
    private let clock: any WallClock
    private let logger: Logger
    /// A database that cannot be reached fails every turn: one line when it starts, reminders, one when it clears.
    private let failures = ConditionLog(
        "leases", what: "cannot renew sender leases; sending stops before they run out, and resumes once a turn succeeds"
    )
    private var turn: Duration { .milliseconds(Int64(settings.leaseTime * 1000 / 3)) }

    init(leases: any InstanceLeases, instance: String, settings: Settings, sharedWork: SharedWork, policy: DispatchPolicy,
         wake: @escaping @Sendable () -> Void, clock: any WallClock, logger: Logger) {
        self.leases = leases
        self.instance = instance
        self.settings = settings
        self.sharedWork = sharedWork
        self.policy = policy
        self.wake = wake
        self.clock = clock
        self.logger = logger
    }

    func run() async throws {
        var holding: [String] = []
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            holding = await takeTurn(holding: holding)
            try? await cancelWhenGracefulShutdown { [turn] in try await Task.sleep(for: turn) }
        }
        sharedWork.set(false)
        do {
            try await leases.leave()
            logger.notice("instance \(instance) stopped; its \(holding.count) sender leases and its heartbeat are handed back",
                          metadata: .event(.leasesChanged))
        } catch {
            logger.warning("instance \(instance) could not hand its sender leases back (\(error)); the others take them once they run out, within \(Int(settings.leaseTime.rounded(.up))) s",
                           metadata: .event(.leasesChanged))
        }
    }

    /// One turn; returns the numbers held after it.
    private func takeTurn(holding: [String]) async -> [String] {
        let now = clock.now()
        let result: LeaseTurn
        do {
            result = try await leases.takeLeaseTurn(now: now, leaseTime: settings.leaseTime)
            failures.succeeded(logger: logger)
        } catch {
            failures.failed("\(error)", logger: logger)
            // The store stops this instance's claims when the leases would run out; the shared
            // work stops with them, for another instance may take it then.
            sharedWork.set(false)
            return holding
        }
        policy.takeOver(senders: result.taken, now: now, reservedUntil: result.reservedUntil)
        let hadSharedWork = sharedWork.isHeld
        sharedWork.set(result.sharedWork)
        if !result.taken.isEmpty || !result.released.isEmpty || hadSharedWork != result.sharedWork {
            let shared = result.sharedWork ? "; runs the shared work" : ""
            logger.notice("""
                instance \(instance) holds \(result.senders.count) senders (took \(result.taken.count), handed back \
                \(result.released.count)) among \(result.live.count) live instances\(shared)
                """, metadata: .event(.leasesChanged).merging([
                    "instance": "\(instance)", "senders": "\(result.senders.joined(separator: ","))",
                    "taken": "\(result.taken.joined(separator: ","))", "released": "\(result.released.joined(separator: ","))",
                    "live": "\(result.live.joined(separator: ","))",
                ]) { $1 })
        }
        if result.sharedWork {
            do {
                let recovered = try await leases.recoverOrphanedSending(now: now, unknownOutcome: settings.unknownOutcome)
                if recovered > 0 {
                    logger.notice("\(recovered) messages were left sending by an instance that is gone; \(settings.unknownOutcome.fate)",
                                  metadata: .event(.requeued))
                }
            } catch {
                failures.failed("\(error)", logger: logger)
            }
        }
        if !result.taken.isEmpty || result.sharedWork { wake() }
        return result.senders
    }
}
