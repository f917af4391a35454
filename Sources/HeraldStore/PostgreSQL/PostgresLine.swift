import Foundation
import PostgresNIO
import Synchronization

/// A connection of its own, outside the pool, for work that must not queue behind the pool's
/// (docs/instances.md):
/// - the lease turns: a heartbeat must not wait behind the work it guards. On a loaded 2-core
///   machine the pool's connections were all held by ingest transactions of several seconds and
///   a line of webhook writes; a turn that waited for one wrote its heartbeat seconds late, the
///   others took the instance for dead and took its senders, and it took them back at its next
///   turn (2026-12-04);
/// - the dispatcher's claims: an instance the carrier's status callbacks reach had its pool full
///   of them whenever a few waited on a locked row, and its claims waited seconds behind them,
///   so the senders it had just taken over from a dead instance stayed silent (2026-12-05).
///
/// One transaction at a time: a caller that finds the line busy (claims running at once in a
/// test, say) is given a pooled connection instead. Opened at first use and again after the
/// server dropped it; closed by `close()`.
final class PostgresLine: Sendable {
    private struct State {
        var connection: PostgresConnection?
        var busy = false
        /// Set by `close()`. A connection that finished opening after it is closed at once: kept,
        /// it would outlive the queue, an open session on the server until heraldd exits.
        var closed = false
    }

    private let state = Mutex(State())

    /// One transaction on this line's connection, opened first if need be; on a pooled one if
    /// the line is in use.
    func transaction<T: Sendable>(_ queue: PostgresQueue, _ body: (PostgresSession) async throws -> T) async throws -> T {
        let (free, current, closed) = state.withLock { state in
            defer { state.busy = true }
            return (!state.busy, state.connection, state.closed)
        }
        guard !closed else { throw Self.closedError(queue) }
        guard free else { return try await queue.transaction(body) }
        defer { state.withLock { $0.busy = false } }
        let connection: PostgresConnection
        if let current, !current.isClosed {
            connection = current
        } else {
            // A lease turn waits at most a third of a lease before the next one is due anyway,
            // and a claim that cannot connect is tried again at the next.
            connection = try await queue.connectOutsidePool(timeout: .seconds(5))
            let kept = state.withLock { state in
                if !state.closed { state.connection = connection }
                return !state.closed
            }
            guard kept else {
                try? await connection.close()
                throw Self.closedError(queue)
            }
        }
        do {
            return try await queue.typedErrors {
                try await PostgresQueue.transaction(
                    on: PostgresSession(connection: connection, logger: queue.logger, watch: queue.queryWatch), body)
            }
        } catch {
            if case StoreError.connectionLost = error {
                state.withLock { if $0.connection === connection { $0.connection = nil } }
                try? await connection.close()
            }
            throw error
        }
    }

    /// Closes the connection, and any that a transaction is opening now once it is open; a
    /// transaction after this fails.
    func close() async {
        let connection = state.withLock { state in
            state.closed = true
            defer { state.connection = nil }
            return state.connection
        }
        try? await connection?.close()
    }

    private static func closedError(_ queue: PostgresQueue) -> StoreError {
        .cannotConnect(server: queue.endpoint.description, reason: "the queue has stopped (heraldd is shutting down)")
    }
}
