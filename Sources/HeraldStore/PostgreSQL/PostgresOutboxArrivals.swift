import Foundation
import Logging
import PostgresNIO

extension PostgresQueue {
    /// The channel the outbox's INSERT trigger notifies (migration p3).
    static let outboxChannel = "herald_outbox"

    /// Yields whenever producers' rows may wait in the outbox: once at the start if any do, then at
    /// every `NOTIFY herald_outbox` (the trigger fires once per INSERT statement, at commit), and
    /// on a slow sweep as a safety net, for rows that came while the listening connection was
    /// being re-established. Wake-ups arriving while the ingester is busy fold into one. Ends when
    /// the consuming task is cancelled.
    public func outboxArrivals() -> AsyncThrowingStream<Void, any Error> {
        outboxArrivals(sweep: .seconds(5))
    }

    func outboxArrivals(sweep: Duration) -> AsyncThrowingStream<Void, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Void, any Error>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let listener = Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.listen(continuation) }
                group.addTask { await self.sweep(every: sweep, continuation) }
                await group.waitForAll()
            }
        }
        continuation.onTermination = { _ in listener.cancel() }
        return stream
    }

    /// Holds one connection LISTENing; when it breaks (a server restart), waits a second and
    /// listens again. Every (re)start yields once, since rows may have come meanwhile.
    ///
    /// The connection is its own, not the pool's: the listener holds it for the daemon's life,
    /// and closes it to stop (the notification sequence does not end when its task is cancelled).
    /// A pooled one closed that way went back to the pool before the pool learnt of the close, and
    /// the next caller got it and failed with clientClosedConnection: at a clean stop, the lease
    /// hand-back right after the ingester stopped (CI, 2026-12-04).
    private func listen(_ continuation: AsyncThrowingStream<Void, any Error>.Continuation) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                let connection = try await connectOutsidePool()
                do {
                    try await withTaskCancellationHandler {
                        try await connection.listen(on: Self.outboxChannel) { notifications in
                            failures = 0
                            continuation.yield()
                            for try await _ in notifications { continuation.yield() }
                        }
                    } onCancel: {
                        connection.close().whenComplete { _ in }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { return }
                failures += 1
                // Said once per outage, not once per attempt.
                if failures == 1 {
                    logger.warning("outbox listener lost its connection; ingest falls back to the sweep until it is back",
                                   metadata: ["error": "\(Self.describe(error))", "server": "\(endpoint)"])
                }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func sweep(every interval: Duration, _ continuation: AsyncThrowingStream<Void, any Error>.Continuation) async {
        while !Task.isCancelled {
            if (try? await outboxHasRows()) == true { continuation.yield() }
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }
}
