import Foundation
import GRDB

/// Yields whenever the outbox has rows, as producers write them: the ingest loop's wake-up.
/// It notices commits through `PRAGMA data_version` on a read-only connection of its own (a
/// counter in shared memory, no table scan), and only then looks at the outbox. Ends when its
/// task is cancelled.
public struct OutboxArrivals: AsyncSequence, Sendable {
    public typealias Element = Void

    let path: String
    /// How often the change counter is read; a read costs microseconds.
    let poll: Duration
    /// Look at the outbox now and then even without a signal, in case a producer wrote through a
    /// path that does not bump the counter (another host's copy, a restored file).
    let sweep: Duration

    public func makeAsyncIterator() -> Iterator {
        Iterator(arrivals: self)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let arrivals: OutboxArrivals
        private var watcher: DatabaseQueue?
        private var lastVersion: Int?
        private var lastLook = ContinuousClock.now

        init(arrivals: OutboxArrivals) {
            self.arrivals = arrivals
        }

        public mutating func next() async throws -> Void? {
            while !Task.isCancelled {
                if try await hasRows() { return () }
                do {
                    try await Task.sleep(for: arrivals.poll)
                } catch {
                    return nil
                }
            }
            return nil
        }

        /// The daemon's own commits bump the counter too; the cheap existence check on the same
        /// connection keeps them from costing an ingest transaction each.
        private mutating func hasRows() async throws -> Bool {
            if watcher == nil {
                var configuration = Configuration()
                configuration.readonly = true
                configuration.label = "herald.outbox-watch"
                watcher = try DatabaseQueue(path: arrivals.path, configuration: configuration)
            }
            let swept = ContinuousClock.now - lastLook > arrivals.sweep
            let seen = lastVersion
            // A failed look (the file briefly busy or unreadable) is a look that found nothing:
            // the sweep tries again, and the database's own errors surface where rows are written.
            guard let (version, hasRows) = try? await watcher!.read({ db -> (Int, Bool) in
                let version = try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0
                guard version != seen || swept else { return (version, false) }
                return (version, try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM outbox)") ?? false)
            }) else { return false }
            if version != lastVersion || swept { lastLook = ContinuousClock.now }
            lastVersion = version
            return hasRows
        }
    }
}

extension QueueDatabase {
    /// Producers' rows as they arrive; see `OutboxArrivals`.
    public func outboxArrivals(poll: Duration = .milliseconds(10), sweep: Duration = .seconds(5)) -> OutboxArrivals {
        OutboxArrivals(path: path, poll: poll, sweep: sweep)
    }
}
