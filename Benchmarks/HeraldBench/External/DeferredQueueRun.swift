import Foundation

/// The scale guards, from outside: heraldd is stopped, the producer fills the outbox with
/// `deferred` texts due a week later, heraldd starts and takes the backlog in (ingest rate), and
/// with all of it queued as `scheduled` it sends `due` texts (claim throughput beside a deferred
/// queue; peak RSS with that queue).
struct DeferredQueueRun {
    struct Figure {
        var deferred: Int
        /// Backlog rows per second, from heraldd's start to an empty outbox.
        var ingestPerSecond: Double
        var ingestSeconds: Double
        /// heraldd's CPU from its start to the empty outbox, per backlog row (start-up included).
        var ingestCPUMicrosPerRow: Double
        var batch: TextBatch.Figure
        /// VmHWM after the due texts: the most heraldd held with the deferred queue.
        var peakRSSKiB: Int
        var rssKiB: Int
    }

    /// Deferred texts are due this far ahead: well past the run, within the 28 days a text may wait.
    static let deferral: TimeInterval = 7 * 86_400

    let heraldd: String
    let heraldctl: String
    let workload: Workload
    let due: Int
    let timeout: Duration

    func run(deferred: Int, name: String) async throws -> Figure {
        let installed = try await InstalledDaemon.install(name: name, heraldd: heraldd, heraldctl: heraldctl, workload: workload)
        do {
            let figure = try await measure(installed, deferred: deferred)
            await installed.tearDown()
            return figure
        } catch {
            await installed.tearDown()
            throw error
        }
    }

    private func measure(_ installed: InstalledDaemon, deferred: Int) async throws -> Figure {
        try await installed.daemon.stop()
        let backlog = try installed.producer.insertDeferred(deferred, sendAt: Date() + Self.deferral)
        // A second process on the same state, as after `systemctl restart heraldd`.
        let daemon = try HeraldDaemonProcess(state: installed.state)
        defer { daemon.kill9IfRunning() }
        try daemon.start()
        let observer = installed.observer
        try await Waiting.until("heraldd to ingest \(deferred) outbox rows", timeout: timeout, interval: .milliseconds(20), detail: {
            "\(try observer.outboxRows()) rows still in the outbox; \(daemon.logTail())"
        }) {
            try daemon.checkAlive()
            return try observer.outboxEmpty()
        }
        let ingest = Formatting.seconds(daemon.startedAt.duration(to: .now))
        let ingestCPU = Formatting.seconds(try ProcStat.cpu(daemon.pid))
        let states = try observer.states(backlog.firstID, backlog.lastID)
        guard states == ["scheduled": deferred] else { throw BenchFailure("expected \(deferred) deferred texts scheduled, found \(states)") }
        try await daemon.waitReady()
        let batch = try await TextBatch(daemon: daemon, producer: installed.producer, observer: observer, timeout: timeout).send(due)
        let figure = Figure(
            deferred: deferred, ingestPerSecond: Double(deferred) / ingest, ingestSeconds: ingest,
            ingestCPUMicrosPerRow: ingestCPU * 1e6 / Double(deferred), batch: batch,
            peakRSSKiB: try ProcStat.peakRSSKiB(daemon.pid), rssKiB: try ProcStat.rssKiB(daemon.pid)
        )
        try await daemon.stop()
        return figure
    }
}
