import Logging
import ServiceLifecycle

/// The simulator as a long-running service, for the `herald-carrier-sim` executable or any
/// `ServiceGroup`. Logs the address it listens on once the port is bound.
public struct CarrierSimulatorService: Service {
    public let configuration: SimulatorConfiguration
    public let logger: Logger

    public init(configuration: SimulatorConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let core = try SimulatorCore(configuration: configuration, logger: logger)
        defer { core.http.shutdown() }
        let logger = logger
        let configuration = configuration
        let application = core.makeApplication { port in
            logger.info(
                "carrier simulator listening",
                metadata: [
                    "host": "\(configuration.host)", "port": "\(port)",
                    "account_sid": "\(configuration.accountSID)",
                    "callback_delay": "\(configuration.callbackDelay)",
                    "inbound_url": "\(configuration.inboundURL ?? "-")",
                    "callback_attempts": "\(configuration.callbackAttempts)",
                    "dedupe": "\(configuration.dedupe ? "on" : "off")",
                ]
            )
        }
        try await application.run()
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully.
    public func runUntilTerminated() async throws {
        let group = ServiceGroup(services: [self], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

extension CarrierSimulatorService: CustomStringConvertible {
    public var description: String { "CarrierSimulatorService(\(configuration))" }
}
