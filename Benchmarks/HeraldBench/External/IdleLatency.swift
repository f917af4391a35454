import Foundation

/// Single texts into an idle heraldd, one at a time: how long from the producer's committed
/// INSERT until the public view says `sent`, seen by polling every millisecond.
struct IdleLatency {
    struct Figure {
        /// Milliseconds, one per text, from the commit returning to the poll that saw `sent`.
        var observed: [Double]
        /// Milliseconds from the commit returning to heraldd's own `sent` event time (1 ms resolution).
        var byEvent: [Double]
        /// Milliseconds by heraldd's event times: commit to ingest, ingest to claim, claim to `sent`.
        var toIngest: [Double] = []
        var toClaim: [Double] = []
        var toSent: [Double] = []

        var p50: Double { Spread.percentile(observed, 50) }
        var p90: Double { Spread.percentile(observed, 90) }
    }

    /// Long enough for the dispatcher to go back to waiting: each text meets an idle daemon.
    static let pause: Duration = .milliseconds(200)
    static let pollInterval: Duration = .milliseconds(1)

    let daemon: HeraldDaemonProcess
    let producer: OutboxProducer
    let observer: QueueObserver

    func measure(_ texts: Int) async throws -> Figure {
        var figure = Figure(observed: [], byEvent: [])
        for _ in 0..<texts {
            try await Task.sleep(for: Self.pause)
            let id = try producer.insertOne()
            let committed = ContinuousClock.now
            let committedMillis = Date().timeIntervalSince1970 * 1000
            var state: String?
            try await Waiting.until("text \(id) to be sent", timeout: .seconds(30), interval: Self.pollInterval, detail: {
                "state \(state ?? "not ingested"); \(daemon.logTail())"
            }) {
                state = try observer.state(of: id)
                if let state, state != "queued", state != "sending", state != "sent" {
                    throw BenchFailure("text \(id) became \(state), not sent")
                }
                return state == "sent"
            }
            figure.observed.append(Formatting.seconds(committed.duration(to: .now)) * 1000)
            if let stages = try observer.stages(id) {
                figure.byEvent.append(Double(stages.sent) - committedMillis)
                figure.toIngest.append(Double(stages.ingested) - committedMillis)
                figure.toClaim.append(Double(stages.claimed - stages.ingested))
                figure.toSent.append(Double(stages.sent - stages.claimed))
            }
        }
        return figure
    }
}
