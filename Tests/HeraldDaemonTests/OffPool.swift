import Dispatch
import HeraldControl

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

    func call<Result: Codable & Sendable>(_ command: AdminCommand, as _: Result.Type = Result.self) async throws -> Result {
        try await offPool { try self.request(command, as: Result.self) }
    }
}
