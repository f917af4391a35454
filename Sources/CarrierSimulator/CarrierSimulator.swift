import Logging
import ServiceLifecycle

public enum CarrierSimulatorError: Error, CustomStringConvertible {
    /// The server stopped before it was listening, without saying why.
    case didNotStart

    public var description: String {
        switch self {
        case .didNotStart: "the carrier simulator stopped before it was listening"
        }
    }
}

public enum CarrierSimulator {
    /// Runs a simulator for the duration of `body` and shuts it down gracefully afterwards,
    /// whether `body` returns or throws. Everything it starts — the server, the callback
    /// dispatcher — lives in this call's task tree and has ended by the time it returns.
    ///
    /// `logger` defaults to one that only reports warnings, which keeps test output readable.
    public static func withRunning<T: Sendable>(
        _ configuration: SimulatorConfiguration = SimulatorConfiguration(),
        logger: Logger? = nil,
        _ body: (RunningSimulator) async throws -> T
    ) async throws -> T {
        let logger = logger ?? {
            var quiet = Logger(label: "herald.carrier-sim")
            quiet.logLevel = .warning
            return quiet
        }()
        let core = try SimulatorCore(configuration: configuration, logger: logger)
        defer { core.http.shutdown() }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = core.makeApplication { port in
            portContinuation.yield(port)
            portContinuation.finish()
        }
        let services = ServiceGroup(services: [application], logger: logger)

        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                // Ends the port wait below if the server fails before it listens.
                defer { portContinuation.finish() }
                try await services.run()
            }
            var portIterator = ports.makeAsyncIterator()
            guard let port = await portIterator.next() else {
                try await tasks.waitForAll()
                throw CarrierSimulatorError.didNotStart
            }
            let running = RunningSimulator(core: core, port: port)
            let result: T
            do {
                result = try await body(running)
            } catch {
                await services.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }
}

/// A simulator started by ``CarrierSimulator/withRunning(_:logger:_:)``: where it listens, what
/// it has seen, and the same fault controls as `POST /sim/faults`.
public struct RunningSimulator: Sendable {
    let core: SimulatorCore
    public let port: Int

    init(core: SimulatorCore, port: Int) {
        self.core = core
        self.port = port
    }

    /// `http://HOST:PORT`, with a wildcard bind address replaced by loopback so it can be dialled.
    public var baseURL: String {
        let host = core.configuration.host
        switch host {
        case "0.0.0.0", "": return "http://127.0.0.1:\(port)"
        case "::": return "http://[::1]:\(port)"
        default: return host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
        }
    }

    public var accountSID: String { core.configuration.accountSID }
    public var authToken: String { core.configuration.authToken }

    /// The Messages endpoint for this account, as a gateway profile would name it.
    public var messagesURL: String {
        "\(baseURL)/\(MessagesAPI.apiVersion)/Accounts/\(accountSID)/Messages.json"
    }

    // MARK: Audits

    public func stats() -> SimulatorStats { core.state.stats() }

    /// Accepted messages in the order they were accepted, with their current status.
    public func messages() -> [AcceptedMessage] { core.state.messages() }

    public func message(sid: String) -> AcceptedMessage? { core.state.message(sid: sid) }

    public func provisionedNumbers() -> [ProvisionedNumber] { core.state.numbers() }

    // MARK: Faults

    public var faults: FaultPlan { core.state.faults }

    public func setFaults(_ plan: FaultPlan) {
        core.state.updateFaults { $0 = plan }
    }

    public func clearFaults() {
        setFaults(FaultPlan())
    }

    public func setLatency(_ latency: Duration) {
        core.state.updateFaults { $0.latency = latency }
    }

    /// See ``FaultPlan/answerDelay``.
    public func setAnswerDelay(_ delay: Duration) {
        core.state.updateFaults { $0.answerDelay = delay }
    }

    public func failNext(_ count: Int, status: Int = 503) {
        core.state.updateFaults {
            $0.failNext = count
            $0.failStatus = status
        }
    }

    /// The next `count` POSTs of part `part` of client-segmented messages fail with `status`.
    public func failPart(_ part: Int, count: Int, status: Int = 503) {
        core.state.updateFaults {
            $0.failPartNumber = part
            $0.failPartNext = count
            $0.failPartStatus = status
        }
    }

    public func throttleNext(_ count: Int, retryAfterSeconds: Int = 1) {
        core.state.updateFaults {
            $0.throttleNext = count
            $0.throttleRetryAfterSeconds = retryAfterSeconds
        }
    }

    public func hangNext(_ count: Int, for duration: Duration) {
        core.state.updateFaults {
            $0.hangNext = count
            $0.hangDuration = duration
        }
    }

    public func dropNext(_ count: Int) {
        core.state.updateFaults { $0.dropNext = count }
    }

    /// The next `count` messages are taken on, then their connection drops before the answer.
    public func acceptThenDropNext(_ count: Int) {
        core.state.updateFaults { $0.acceptThenDropNext = count }
    }

    /// Each message taken on loses its answer with this probability (0...1).
    public func acceptThenDrop(probability: Double) {
        core.state.updateFaults { $0.acceptThenDropProbability = probability }
    }

    /// Each status callback is never sent with this probability (0...1).
    public func loseCallbacks(fraction: Double) {
        core.state.updateFaults { $0.loseCallbacksFraction = fraction }
    }

    /// POSTs to `destination` are refused with `reply` (e.g. code 21610 for an opted-out handset).
    public func setError(for destination: String, _ reply: CarrierErrorReply?) {
        core.state.updateFaults { $0.errorFor[destination] = reply }
    }

    /// Messages to `destination` are accepted, then reported as `error` in the final callback.
    public func setDeliveryError(for destination: String, _ error: DeliveryError?) {
        core.state.updateFaults { $0.deliverErrorFor[destination] = error }
    }

    public func setExhaustedAreaCodes(_ areaCodes: Set<String>) {
        core.state.updateFaults { $0.exhaustedAreaCodes = areaCodes }
    }

    // MARK: Inbound

    /// Where replies to numbers without an SmsUrl go, in place of the configuration's
    /// `inboundURL`: for a receiver that binds port 0 and so starts after the simulator.
    public func setInboundURL(_ url: String?) {
        core.state.inboundURL = url
    }

    /// Delivers a handset's message to the webhook of the number it was sent to (its SmsUrl, or
    /// the configured inbound URL), signed like the carrier's, and returns what the webhook said.
    @discardableResult
    public func injectInbound(from: String, to: String, body: String) async throws(InboundInjectionError) -> InboundDelivery {
        try await core.injector.inject(from: from, to: to, body: body)
    }
}
