import Foundation

/// One repetition of the headline figures: a fresh heraldd sends `texts` while the producer
/// inserts them, then answers `idleTexts` single texts; then the libcurl ceiling posts as many
/// requests to the same nginx with the same concurrency, heraldd stopped by then.
struct ThroughputRepetition {
    struct Figure {
        var batch: TextBatch.Figure
        var peakRSSKiB: Int
        var idle: IdleLatency.Figure
        var ceilingPerSecond: Double
        var ceilingFailures: Int
        /// The ceiling process's CPU per request: what posting alone costs, the floor under
        /// heraldd's CPU per text.
        var ceilingCPUMicrosPerRequest: Double
        var ratio: Double { batch.claimToSentPerSecond / ceilingPerSecond }
    }

    let heraldd: String
    let heraldctl: String
    let workload: Workload
    let texts: Int
    let idleTexts: Int
    let timeout: Duration

    func run(_ repetition: Int) async throws -> Figure {
        let installed = try await InstalledDaemon.install(name: "throughput\(repetition)", heraldd: heraldd, heraldctl: heraldctl, workload: workload)
        let batch: TextBatch.Figure
        let peak: Int
        let idle: IdleLatency.Figure
        do {
            batch = try await TextBatch(daemon: installed.daemon, producer: installed.producer, observer: installed.observer, timeout: timeout)
                .send(texts)
            peak = try ProcStat.peakRSSKiB(installed.daemon.pid)
            idle = try await IdleLatency(daemon: installed.daemon, producer: installed.producer, observer: installed.observer)
                .measure(idleTexts)
        } catch {
            await installed.tearDown()
            throw error
        }
        await installed.tearDown()
        let ceiling = try await CurlCeiling(settings: workload.ceilingSettings(texts: texts)).run()
        if let failure = ceiling.firstFailure { print("external: ceiling: first request that did not get 201: \(failure)") }
        return Figure(batch: batch, peakRSSKiB: peak, idle: idle, ceilingPerSecond: Formatting.rate(texts, ceiling.elapsed),
                      ceilingFailures: ceiling.failures,
                      ceilingCPUMicrosPerRequest: Formatting.seconds(ceiling.cpu) * 1e6 / Double(texts))
    }
}
