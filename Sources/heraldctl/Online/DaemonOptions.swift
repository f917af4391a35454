import ArgumentParser
import Foundation
import HeraldControl

/// Options every command that talks to heraldd takes, and the one place that turns the admin
/// socket's answers into output and exit codes.
struct DaemonOptions: ParsableArguments {
    @Option(help: ArgumentHelp("heraldd's admin socket.", valueName: "path"))
    var socket = ProcessInfo.processInfo.environment["HERALD_SOCKET"] ?? "/run/herald/admin.sock"

    @Flag(help: "Print the daemon's answer as JSON (snake_case keys, ISO 8601 instants).")
    var json = false

    func connect() throws -> AdminClient {
        do {
            return try AdminClient(path: socket)
        } catch {
            fail("\(error)", code: .unavailable)
        }
    }

    /// Runs one command; on a refusal prints the daemon's message and exits with its code.
    func request<Parameters, Result>(_ call: AdminCall<Parameters, Result>) throws -> Result {
        try request(call, on: connect())
    }

    /// The same on a connection the caller keeps, for requests that belong together (an upload's pieces).
    func request<Parameters, Result>(_ call: AdminCall<Parameters, Result>, on client: AdminClient) throws -> Result {
        do {
            return try client.request(call)
        } catch let error as AdminError {
            fail(error.message, code: ExitStatus(error.code))
        } catch {
            fail("\(error)", code: .unavailable)
        }
    }

    /// Prints `value` as JSON when asked, else the human rendering.
    func output<Value: Encodable>(_ value: Value, human: () -> Void) {
        if json {
            let data = (try? AdminJSON.encoder().encode(value)) ?? Data("null".utf8)
            print(String(decoding: data, as: UTF8.self))
        } else {
            human()
        }
    }

    func fail(_ message: String, code: ExitStatus) -> Never {
        FileHandle.standardError.write(Data("heraldctl: \(message)\n".utf8))
        Foundation.exit(code.rawValue)
    }
}

/// heraldctl's exit statuses (sysexits.h where one fits), documented in `heraldctl --help`.
enum ExitStatus: Int32 {
    case ok = 0
    /// The daemon refused: no such message, a state that does not allow it, the answer is "no".
    case refused = 1
    case usage = 64
    /// heraldd is not running or not reachable at the socket.
    case unavailable = 69
    case failed = 70
    /// The peer may only read.
    case permission = 77

    init(_ code: AdminError.Code) {
        switch code {
        case .permissionDenied: self = .permission
        case .badJSON, .lineTooLong, .unknownCommand, .badRequest: self = .usage
        case .notFound, .conflict: self = .refused
        case .tooManyConnections: self = .unavailable
        case .failed: self = .failed
        }
    }
}
