import Foundation
import PostgresNIO
import Synchronization

/// The connection lease turns run on, of their own and outside the pool (docs/instances.md): a
/// heartbeat must not queue behind the work it guards. On a loaded 2-core machine the pool's
/// connections were all held by ingest transactions of several seconds and a line of webhook
/// writes; a turn that waited for one wrote its heartbeat seconds late, the others took the
/// instance for dead and took its senders, and it took them back at its next turn (2026-12-04).
///
/// Used by one caller at a time: the lease service's turns, then its hand-back at a clean stop.
/// Opened at the first turn and again after the server dropped it; closed by `close()`.
final class PostgresLeaseLine: Sendable {
    private let open = Mutex<PostgresConnection?>(nil)

    /// One transaction on this line's connection, opened first if need be.
    func transaction<T: Sendable>(_ queue: PostgresQueue, _ body: (PostgresSession) async throws -> T) async throws -> T {
        let connection: PostgresConnection
        if let current = open.withLock({ $0 }), !current.isClosed {
            connection = current
        } else {
            // A turn waits at most a third of a lease before the next one is due anyway.
            connection = try await queue.connectOutsidePool(timeout: .seconds(5))
            open.withLock { $0 = connection }
        }
        do {
            return try await queue.typedErrors {
                try await PostgresQueue.transaction(
                    on: PostgresSession(connection: connection, logger: queue.logger, watch: queue.queryWatch), body)
            }
        } catch {
            if case StoreError.connectionLost = error {
                open.withLock { if $0 === connection { $0 = nil } }
                try? await connection.close()
            }
            throw error
        }
    }

    func close() async {
        guard let connection = open.withLock({ current in defer { current = nil }; return current }) else { return }
        try? await connection.close()
    }
}
