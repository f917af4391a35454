import Foundation
import HeraldCore
import HeraldStore
import Logging
import Synchronization

/// Collects POST results from many concurrent sends and writes them in batched transactions:
/// one commit per batch instead of one per message, and the batch grows by itself under load.
final class OutcomeRecorder: Sendable {
    private let database: QueueDatabase
    private let clock: any WallClock
    let usageMonth: @Sendable (String) -> String
    private let logger: Logger
    private let pending = Mutex<[DispatchRecord]>([])
    private let finishing = Atomic<Bool>(false)
    private let doorbell = Doorbell()
    let events: DispatchEvents

    init(database: QueueDatabase, clock: any WallClock, usageMonth: @escaping @Sendable (String) -> String, logger: Logger,
         activity: ActivityCounters) {
        self.database = database
        self.clock = clock
        self.usageMonth = usageMonth
        self.logger = logger
        events = DispatchEvents(logger: logger, activity: activity)
    }

    static let comfortableBatch = 256
    static let gatherDelay: Duration = .milliseconds(10)

    /// Hands the pending results to the dispatcher, which writes them in its claim transaction.
    func takeForClaim() -> [DispatchRecord] { take() }

    /// Gives back results whose transaction failed, ahead of anything newer.
    func putBack(_ records: [DispatchRecord]) {
        guard !records.isEmpty else { return }
        pending.withLock { $0.insert(contentsOf: records, at: 0) }
        doorbell.ring()
    }

    private func take() -> [DispatchRecord] {
        pending.withLock { records in
            defer { records.removeAll(keepingCapacity: true) }
            return records
        }
    }

    func submit(_ record: DispatchRecord) {
        pending.withLock { $0.append(record) }
        doorbell.ring()
    }

    /// Lets `run()` return once everything submitted so far is written.
    func finish() {
        finishing.store(true, ordering: .sequentiallyConsistent)
        doorbell.ring()
    }

    func run() async {
        var failures = 0
        while true {
            var batch = take()
            if batch.isEmpty {
                if finishing.load(ordering: .sequentiallyConsistent) { return }
                await doorbell.wait(upTo: .milliseconds(200))
                continue
            }
            // Under load, a moment's wait turns many small commits into one larger one.
            if batch.count < Self.comfortableBatch, !finishing.load(ordering: .sequentiallyConsistent) {
                try? await Task.sleep(for: Self.gatherDelay)
                batch += take()
            }
            do {
                try await database.record(batch, now: clock.now(), usageMonth: usageMonth)
                events.recorded(batch)
                failures = 0
            } catch {
                failures += 1
                if finishing.load(ordering: .sequentiallyConsistent), failures >= 3 {
                    logger.error("giving up recording \(batch.count) carrier outcomes at shutdown: \(error); those messages stay sending and are re-posted with the same idempotency key at the next start")
                    return
                }
                // The messages stay `sending` on disk, so nothing is lost even if this never
                // succeeds: a restart re-posts them with the same idempotency key.
                logger.error("cannot record \(batch.count) carrier outcomes, retrying in 1 s: \(error)")
                pending.withLock { $0.insert(contentsOf: batch, at: 0) }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
