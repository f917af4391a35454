import NIOCore
import PostgresNIO
import Synchronization

/// Runs one query so that its caller cannot wait for ever on a connection that is gone. Why: a
/// query in flight when the server ends the connection (a restart, a failover) is sometimes
/// neither answered nor failed by postgres-nio (1.33.2), and whatever awaited it (the
/// dispatcher, a webhook handler) would hang, and a clean stop with it. So the query runs in a
/// task of its own, and a timer looks at the connection every `interval`: once it is closed and
/// the query still has no answer, the caller gets `PostgresConnectionGone` (the query's task is
/// left to end, or not, on its own).
enum PostgresQueryWatch {
    static let interval = TimeAmount.seconds(2)

    static func run<T: Sendable>(on connection: PostgresConnection, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let answer = Answer<T>()
        return try await withCheckedThrowingContinuation { continuation in
            answer.wait(continuation)
            Task {
                do { answer.give(.success(try await work())) } catch { answer.give(.failure(error)) }
            }
            watch(connection, answer)
        }
    }

    private static func watch<T: Sendable>(_ connection: PostgresConnection, _ answer: Answer<T>) {
        answer.watching(connection.eventLoop.scheduleTask(in: interval) {
            guard !answer.isGiven else { return }
            if connection.isClosed { answer.give(.failure(PostgresConnectionGone())) } else { watch(connection, answer) }
        })
    }

    /// The caller's continuation, resumed once: by the query's answer or by the watch.
    private final class Answer<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var given = false
            /// The watch's timer, cancelled once the answer is in: most queries answer in a
            /// millisecond, and their timers should not pile up on the event loop.
            var timer: Scheduled<Void>?
        }

        private let state = Mutex(State())

        var isGiven: Bool { state.withLock { $0.given } }

        func wait(_ continuation: CheckedContinuation<T, any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        func watching(_ timer: Scheduled<Void>) {
            let given = state.withLock { state in
                if !state.given { state.timer = timer }
                return state.given
            }
            if given { timer.cancel() }
        }

        func give(_ result: Result<T, any Error>) {
            let (continuation, timer) = state.withLock { state -> (CheckedContinuation<T, any Error>?, Scheduled<Void>?) in
                guard !state.given else { return (nil, nil) }
                state.given = true
                defer { state.continuation = nil; state.timer = nil }
                return (state.continuation, state.timer)
            }
            timer?.cancel()
            continuation?.resume(with: result)
        }
    }
}

/// The connection closed while a query on it had no answer: the transaction it was in is gone.
struct PostgresConnectionGone: Error, CustomStringConvertible {
    var description: String { "the connection closed while a statement on it was unanswered" }
}
