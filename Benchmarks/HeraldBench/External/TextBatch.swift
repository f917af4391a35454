import Foundation

/// One batch of due texts through a running heraldd: the producer inserts them while heraldd
/// runs, and the batch is done when the public views show every one `sent`.
struct TextBatch {
    struct Figure {
        var texts: Int
        /// heraldd's own view: its first claim (`sending` event) to its last `sent`.
        var claimToSentPerSecond: Double
        /// The outside view: the producer's first insert to the poll that saw the last `sent`.
        var insertToSentPerSecond: Double
        /// heraldd's CPU (all threads, user + system) over the same outside interval, per text.
        var cpuMicrosPerText: Double
        var coresBusy: Double
        /// Texts per claim commit and per record commit: how far heraldd batches its fsyncs.
        var perClaimCommit: Double
        var perRecordCommit: Double
    }

    /// How often the observer looks; the throughput itself comes from heraldd's event times.
    static let pollInterval: Duration = .milliseconds(20)

    let daemon: HeraldDaemonProcess
    let producer: OutboxProducer
    let observer: QueueObserver
    let timeout: Duration

    func send(_ texts: Int) async throws -> Figure {
        let pid = daemon.pid
        let cpuBefore = try ProcStat.cpu(pid)
        let started = ContinuousClock.now
        let inserted = try producer.insertTexts(texts)
        var cursor = inserted.firstID
        try await Waiting.until("\(texts) texts to be sent", timeout: timeout, interval: Self.pollInterval, detail: {
            "states \(try observer.states(inserted.firstID, inserted.lastID)), \(try observer.outboxRows()) outbox rows; \(daemon.logTail())"
        }) {
            try daemon.checkAlive()
            guard let pending = try observer.firstPending(from: cursor, through: inserted.lastID) else { return true }
            cursor = pending
            return false
        }
        let elapsed = started.duration(to: .now)
        let cpu = try ProcStat.cpu(pid) - cpuBefore
        let states = try observer.states(inserted.firstID, inserted.lastID)
        guard states == ["sent": texts] else { throw BenchFailure("expected \(texts) texts sent, found \(states)") }
        let (firstClaim, lastSent) = try observer.claimToSent(inserted.firstID, inserted.lastID)
        let seconds = Formatting.seconds(elapsed)
        let claims = try observer.commits(inserted.firstID, inserted.lastID, toState: "sending")
        let records = try observer.commits(inserted.firstID, inserted.lastID, toState: "sent")
        return Figure(
            texts: texts,
            claimToSentPerSecond: Double(texts) / max(Double(lastSent - firstClaim) / 1000, 0.001),
            insertToSentPerSecond: Double(texts) / seconds,
            cpuMicrosPerText: Formatting.seconds(cpu) * 1e6 / Double(texts),
            coresBusy: Formatting.seconds(cpu) / seconds,
            perClaimCommit: Double(texts) / Double(max(claims, 1)), perRecordCommit: Double(texts) / Double(max(records, 1))
        )
    }
}
