import HeraldCore
import HeraldStore
import Logging

/// The fan-out of broadcasts (docs/states.md, `bulk` to a contact group), run from the ingest loop: it
/// is the same kind of work (outbox intent → messages) on the same single writer.
extension IngestService {
    /// Members per write transaction: large enough that a 100,000-member group takes 50 commits,
    /// small enough that a batch's rows and the writer lock are held for tens of milliseconds.
    static let fanOutBatchSize = 2_000

    /// Fans out one batch; returns whether a broadcast still has members left.
    func fanOutBatch() async -> Bool {
        let report: FanOutReport?
        do {
            report = try await database.fanOutBroadcast(
                limit: Self.fanOutBatchSize, now: clock.now(), directory: directory.current, rules: directory.ingestRules
            )
        } catch {
            fanOutFailures.failed("\(error)", logger: logger)
            try? await Task.sleep(for: .seconds(1))
            return true
        }
        fanOutFailures.succeeded(logger: logger)
        guard let report else { return false }
        log(report.messages)
        if report.messages.queued > 0 || report.messages.scheduled > 0 { onQueued() }
        if report.finished {
            logger.info("broadcast \(report.broadcastID) fanned out",
                        metadata: [LogKey.org: "\(report.orgID)", "broadcast": "\(report.broadcastID)"])
        }
        if !report.finished { return true }
        // Another broadcast may be waiting behind a finished one.
        return (try? await database.hasOpenBroadcast()) ?? true
    }
}
