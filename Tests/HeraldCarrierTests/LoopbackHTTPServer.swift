import Foundation
import HeraldCarrier
import Hummingbird
import Logging
import Synchronization

/// What the loopback server saw of one request.
struct ReceivedRequest: Sendable {
    var method: String
    var path: String
    var headers: [(String, String)]
    var body: [UInt8]
    /// The client's ephemeral port: one value per TCP connection, so it counts connections.
    var clientPort: Int?

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var form: [String: String] {
        Dictionary(FormEncoding.decode(String(decoding: body, as: UTF8.self)), uniquingKeysWith: { first, _ in first })
    }
}

/// Lets handlers see which connection a request came in on.
struct ConnectionAwareContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let clientPort: Int?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientPort = source.channel.remoteAddress?.port
    }
}

/// Requests seen so far, and how many handlers ran at once at most.
final class RequestLog: Sendable {
    private struct State {
        var requests: [ReceivedRequest] = []
        var running = 0
        var peakRunning = 0
    }

    private let state = Mutex(State())

    var requests: [ReceivedRequest] { state.withLock { $0.requests } }
    var peakConcurrency: Int { state.withLock { $0.peakRunning } }
    var distinctConnections: Int { Set(requests.compactMap(\.clientPort)).count }

    func begin(_ request: ReceivedRequest) {
        state.withLock {
            $0.requests.append(request)
            $0.running += 1
            $0.peakRunning = max($0.peakRunning, $0.running)
        }
    }

    func end() {
        state.withLock { $0.running -= 1 }
    }
}

/// Runs a real Hummingbird HTTP/1.1 server on 127.0.0.1 with an OS-chosen port for the
/// duration of `body`, answering every request with `handler`.
func withLoopbackServer<T: Sendable>(
    _ handler: @escaping @Sendable (ReceivedRequest) async throws -> Response,
    _ body: @Sendable (_ baseURL: String, _ log: RequestLog) async throws -> T
) async throws -> T {
    let log = RequestLog()
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let responder = CallbackResponder<ConnectionAwareContext> { request, context in
        var request = request
        let bytes = try await request.collectBody(upTo: 1 << 20)
        let received = ReceivedRequest(
            method: request.method.rawValue,
            path: request.uri.path,
            headers: request.headers.map { ($0.name.rawName, $0.value) },
            body: Array(bytes.readableBytesView),
            clientPort: context.clientPort
        )
        log.begin(received)
        defer { log.end() }
        return try await handler(received)
    }
    let app = Application(
        responder: responder,
        configuration: .init(address: .hostname("127.0.0.1", port: 0), backlog: 1024),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        },
        logger: quietLogger
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            // Ends the port wait below if the server fails before it listens.
            defer { portContinuation.finish() }
            try await app.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            group.cancelAll()
            throw LoopbackServerError.didNotStart
        }
        do {
            let result = try await body("http://127.0.0.1:\(port)", log)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// Stopping the server by cancellation logs errors about open keep-alive connections; they are expected here.
private let quietLogger: Logger = {
    var logger = Logger(label: "loopback-test-server")
    logger.logLevel = .critical
    return logger
}()

enum LoopbackServerError: Error {
    case didNotStart
}

func jsonResponse(status: Int, _ json: String, retryAfter: String? = nil) -> Response {
    var fields = HTTPFields()
    fields[.contentType] = "application/json"
    if let retryAfter { fields[.retryAfter] = retryAfter }
    return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: json)))
}
