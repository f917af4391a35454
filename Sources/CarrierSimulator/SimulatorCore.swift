import Foundation
import HeraldCarrier
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The parts of one simulator run, shared by its HTTP handlers, its callback dispatcher and the
/// in-process test API.
final class SimulatorCore: Sendable {
    let configuration: SimulatorConfiguration
    let state: SimulatorState
    let http: CurlMulti
    let dispatcher: CallbackDispatcher
    let injector: InboundInjector
    let logger: Logger
    private let expectedAuthorization: String

    init(configuration: SimulatorConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        state = SimulatorState(dedupe: configuration.dedupe, inboundURL: configuration.inboundURL)
        // Webhooks are local test receivers: a short connect limit, and a total limit well under
        // any hang a test might arm on the receiving side.
        http = try CurlMulti(
            maxInFlight: max(1, configuration.maxCallbacksInFlight),
            connectTimeout: .seconds(2),
            totalTimeout: .seconds(10)
        )
        dispatcher = CallbackDispatcher(configuration: configuration, state: state, http: http, logger: logger)
        injector = InboundInjector(configuration: configuration, state: state, http: http)
        let credentials = Data("\(configuration.accountSID):\(configuration.authToken)".utf8).base64EncodedString()
        expectedAuthorization = "Basic \(credentials)"
    }

    /// The carrier API's answer to a request without the account's credentials, or nil when it has them.
    func refuseUnauthenticated(_ request: Request, pathAccountSID: String?) -> Response? {
        let given = request.headers[.authorization] ?? ""
        // Compared whole, without decoding: a wrong password and a malformed header are the same 401.
        if constantTimeEqual(given, expectedAuthorization), pathAccountSID == configuration.accountSID {
            return nil
        }
        return JSONReply.error(
            status: 401,
            code: 20003,
            message: "Authenticate",
            headers: [.wwwAuthenticate: "Basic realm=\"Twilio API\""]
        )
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    /// Reads a form-encoded body into first-value-wins fields, as the carrier does.
    func formFields(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 256 * 1024)
        var fields: [String: String] = [:]
        for (name, value) in FormEncoding.decode(String(buffer: buffer)) where fields[name] == nil {
            fields[name] = value
        }
        return fields
    }

    /// Waits out injected latency or a hang, but gives up when the simulator shuts down, so a
    /// test that armed a long hang still stops promptly.
    func hold(for duration: Duration) async {
        guard duration > .zero else { return }
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: duration)
        }
    }

    func makeApplication(onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        MessagesAPI(core: self).register(on: router)
        NumbersAPI(core: self).register(on: router)
        ControlAPI(core: self).register(on: router)
        return Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "herald-carrier-sim",
                backlog: 1024
            ),
            services: [dispatcher],
            onServerRunning: { channel in
                await onRunning(channel.localAddress?.port ?? 0)
            },
            logger: logger
        )
    }
}
