import Dispatch
import HeraldControl
import HeraldTestSupport
import Synchronization

/// Runs blocking work (a synchronous socket read, a child process) on a Dispatch thread, so it
/// never holds one of the few threads of the concurrency pool the in-process daemon runs on.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

extension AdminClient {
    static func open(_ path: String) async throws -> AdminClient {
        try await offPool { try AdminClient(path: path) }
    }

    func call<Parameters, Result>(_ call: AdminCall<Parameters, Result>) async throws -> Result {
        try await offPool { try self.request(call) }
    }
}

extension AdminClient {
    /// The next line, read off the pool, or ``WaitTimedOut`` after `timeout`: a watcher waiting for
    /// an event that never comes fails its test instead of hanging the run. An abandoned read ends
    /// when the daemon closes the connection at shutdown; the client is not to be used after it.
    func readLine(within timeout: Duration, fileID: String = #fileID, line: Int = #line) async throws -> [UInt8] {
        let first = FirstAnswer<[UInt8]>()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return try await withCheckedThrowingContinuation { continuation in
            first.wait(with: continuation)
            DispatchQueue.global().async { first.answer(Result { try self.readLine() }) }
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                first.answer(.failure(WaitTimedOut(what: "a line from the admin socket", timeout: timeout, location: "\(fileID):\(line)")))
            }
        }
    }
}

/// Resumes a continuation with whichever answer comes first; later ones are dropped.
private final class FirstAnswer<Value: Sendable>: Sendable {
    private let waiting = Mutex<CheckedContinuation<Value, any Error>?>(nil)

    func wait(with continuation: CheckedContinuation<Value, any Error>) {
        waiting.withLock { $0 = continuation }
    }

    func answer(_ result: Result<Value, any Error>) {
        waiting.withLock { waiting in
            defer { waiting = nil }
            return waiting
        }?.resume(with: result)
    }
}
