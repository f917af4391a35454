import PostgresNIO
import Synchronization

/// Keeps a caller from waiting for ever on a statement whose connection is gone. Why: a
/// statement in flight when the server ends the connection (a restart, a failover) is sometimes
/// neither answered nor failed by postgres-nio (1.33.2), and whatever awaited it (the
/// dispatcher, a webhook handler) would hang, holding its pooled connection, and a clean stop
/// with it. So each statement runs in a task of its own and its caller waits on an answer that
/// either the statement or `sweep` gives: `PostgresQueue.run()` sweeps every `interval`, and a
/// statement whose connection has closed meanwhile fails with `PostgresConnectionGone` (its task
/// is left to end, or not, on its own). A registry swept by one loop, not a timer per statement:
/// timers woke the event loop's thread for every statement.
final class PostgresQueryWatch: Sendable {
    static let interval = Duration.seconds(2)

    private struct Pending {
        var connection: PostgresConnection
        var fail: @Sendable () -> Void
    }

    private let pending = Mutex<(next: UInt64, statements: [UInt64: Pending])>((0, [:]))

    func run<T: Sendable>(on connection: PostgresConnection, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let answer = Answer<T>()
        let id = pending.withLock { state in
            state.next += 1
            state.statements[state.next] = Pending(connection: connection, fail: { answer.give(.failure(PostgresConnectionGone())) })
            return state.next
        }
        defer { _ = pending.withLock { $0.statements.removeValue(forKey: id) } }
        return try await withCheckedThrowingContinuation { continuation in
            answer.wait(continuation)
            Task {
                do { answer.give(.success(try await work())) } catch { answer.give(.failure(error)) }
            }
        }
    }

    /// Fails the statements whose connection has closed; returns how many.
    @discardableResult
    func sweep() -> Int {
        let gone = pending.withLock { state in
            let gone = state.statements.filter { $0.value.connection.isClosed }
            for id in gone.keys { state.statements[id] = nil }
            return gone.values.map(\.fail)
        }
        for fail in gone { fail() }
        return gone.count
    }

    /// Sweeps every `interval` until the calling task is cancelled.
    func watch() async {
        while (try? await Task.sleep(for: Self.interval)) != nil { sweep() }
    }

    /// The caller's continuation, resumed once: by the statement's answer or by the sweep.
    private final class Answer<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var early: Result<T, any Error>?
            var given = false
        }

        private let state = Mutex(State())

        func wait(_ continuation: CheckedContinuation<T, any Error>) {
            let early = state.withLock { state -> Result<T, any Error>? in
                if let early = state.early { return early }
                state.continuation = continuation
                return nil
            }
            if let early { continuation.resume(with: early) }
        }

        func give(_ result: Result<T, any Error>) {
            let continuation = state.withLock { state -> CheckedContinuation<T, any Error>? in
                guard !state.given else { return nil }
                state.given = true
                guard let continuation = state.continuation else {
                    state.early = result
                    return nil
                }
                state.continuation = nil
                return continuation
            }
            continuation?.resume(with: result)
        }
    }
}

/// The connection closed while a statement on it was unanswered: the transaction it was in is gone.
struct PostgresConnectionGone: Error, CustomStringConvertible {
    var description: String { "the connection closed while a statement on it was unanswered" }
}
