import ArgumentParser
import CarrierSimulator
import Foundation
import Logging

/// A Twilio-compatible carrier on loopback, for `make run` and manual testing of heraldd.
struct HeraldCarrierSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald-carrier-sim",
        abstract: "Simulated SMS carrier speaking the Twilio-compatible Messages API.",
        discussion: """
            Control endpoints: POST/DELETE /sim/faults, POST /sim/inbound, GET /sim/messages, GET /stats.
            Faults: fail_next, throttle_next, hang_next, drop_next, fail_part, latency_ms, error_for,
            deliver_error_for, exhausted_area_codes, accept_then_drop {count|probability},
            lose_callbacks {fraction}.
            """
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one and logs it).")
    var port = 8089

    @Option(name: .customLong("account-sid"), help: "Account SID clients must authenticate as.")
    var accountSID = "ACsimulator"

    @Option(name: .customLong("auth-token"), help: "Auth token (prefer --auth-token-file, which keeps it out of `ps`).")
    var authToken: String?

    @Option(name: .customLong("auth-token-file"), help: "File holding the auth token; surrounding whitespace is ignored.")
    var authTokenFile: String?

    @Option(name: .customLong("callback-delay-ms"), help: "Milliseconds between accepting a message and its `sent` callback.")
    var callbackDelayMilliseconds = 50

    @Option(name: .customLong("inbound-url"), help: "Webhook for injected inbound messages to numbers without an SmsUrl.")
    var inboundURL: String?

    @Option(name: .customLong("callback-attempts"), help: "Attempts per status callback before it is given up (Twilio makes 1).")
    var callbackAttempts = SimulatorConfiguration().callbackAttempts

    @Option(help: "on: a repeated Idempotency-Key gets the first answer back; off: it is a second text with its own sid.")
    var dedupe = "on"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        if authToken != nil, authTokenFile != nil {
            throw ValidationError("give --auth-token or --auth-token-file, not both")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        guard callbackDelayMilliseconds >= 0 else { throw ValidationError("--callback-delay-ms must not be negative") }
        guard callbackAttempts >= 1 else { throw ValidationError("--callback-attempts must be at least 1") }
        guard ["on", "off"].contains(dedupe) else { throw ValidationError("--dedupe must be on or off, not \(dedupe)") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() async throws {
        try await serve()
    }

    func serve() async throws {
        var token = authToken ?? SimulatorConfiguration().authToken
        if let authTokenFile {
            do {
                token = try String(contentsOfFile: authTokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw ValidationError("cannot read --auth-token-file \(authTokenFile): \(error.localizedDescription)")
            }
            guard !token.isEmpty else { throw ValidationError("--auth-token-file \(authTokenFile) is empty") }
        }

        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "herald.carrier-sim")

        let configuration = SimulatorConfiguration(
            host: host,
            port: port,
            accountSID: accountSID,
            authToken: token,
            callbackDelay: .milliseconds(callbackDelayMilliseconds),
            inboundURL: inboundURL,
            callbackAttempts: callbackAttempts,
            dedupe: dedupe == "on"
        )
        try await CarrierSimulatorService(configuration: configuration, logger: logger).runUntilTerminated()
    }
}

// Parsed and run by hand: at the top level of main.swift, `main()` and `run()` bind to the
// synchronous ParsableCommand versions, which refuse to run an async command.
do {
    let command = try HeraldCarrierSim.parse()
    try await command.serve()
} catch {
    HeraldCarrierSim.exit(withError: error)
}
