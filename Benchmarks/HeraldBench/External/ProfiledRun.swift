import Foundation

/// One extra throughput run, not counted in the figures, with `perf record -e cpu-clock -g`
/// attached to heraldd for exactly the batch: where the CPU of a text goes.
struct ProfiledRun {
    let heraldd: String
    let heraldctl: String
    let workload: Workload
    let texts: Int
    let timeout: Duration
    let output: String
    /// `fp` (frame pointers, cheap) or `dwarf`: SQLite is built without frame pointers, so only
    /// `dwarf` attributes its time to the Herald function that called it.
    let callGraph: String

    func run() async throws -> TextBatch.Figure {
        let installed = try await InstalledDaemon.install(name: "profile", heraldd: heraldd, heraldctl: heraldctl, workload: workload)
        let perf = Process()
        perf.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        perf.arguments = ["perf", "record", "-q", "-e", "cpu-clock", "--call-graph", callGraph == "dwarf" ? "dwarf,16384" : callGraph,
                          "-F", callGraph == "dwarf" ? "499" : "4000", "-p", "\(installed.daemon.pid)", "-o", output]
        do {
            try perf.run()
            // perf needs a moment to attach; texts sent before it would go unsampled.
            try await Task.sleep(for: .milliseconds(500))
            guard perf.isRunning else { throw BenchFailure("perf record exited at once (status \(perf.terminationStatus)); is linux-perf installed?") }
            let figure = try await TextBatch(daemon: installed.daemon, producer: installed.producer, observer: installed.observer, timeout: timeout)
                .send(texts)
            // perf record -p stops and writes its file when its target exits. SIGINT, its usual
            // stop, sent from here left it running for 2 minutes (its signal mask showed SIGINT
            // blocked; why was not found), so heraldd's own shutdown, a few ms, is in the profile.
            try await installed.daemon.stop()
            try await Waiting.until("perf record to write \(output)", timeout: .seconds(120), interval: .milliseconds(50)) { !perf.isRunning }
            await installed.tearDown()
            return figure
        } catch {
            if perf.isRunning { kill(perf.processIdentifier, SIGKILL) }
            await installed.tearDown()
            throw error
        }
    }
}
