import Foundation
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle

/// Expires journeys that waited for an opt-in past their `expires_at`. Claims never see them
/// (they are not due until a YES), so this pass is what keeps docs/states.md's promise for them.
final class ConsentExpiryService: Service {
    private let database: any ConsentStore
    private let clock: any WallClock
    private let logger: Logger
    private let activity: ActivityCounters
    /// A pass runs every few seconds: a lasting failure is one condition, not a line per pass.
    private let failures = ConditionLog("consent_expiry", what: "cannot expire journeys waiting for consent, will try again")
    /// Real time between passes: a waiting journey expires at most this late.
    static let interval: Duration = .seconds(5)

    init(database: any ConsentStore, clock: any WallClock, logger: Logger, activity: ActivityCounters) {
        self.database = database
        self.clock = clock
        self.logger = logger
        self.activity = activity
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let expired = try await database.expireAwaitingConsent(now: clock.now(), limit: 500)
                failures.succeeded(logger: logger)
                activity.add(expired.count, .expired)
                for message in expired where logger.logLevel <= .debug {
                    logger.debug("message \(message.id) expired waiting for consent",
                                 metadata: .event(.expired, message: message.id, org: message.org))
                }
                if expired.count == 500 { continue }
            } catch {
                failures.failed("\(error)", logger: logger)
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) }
        }
    }
}
