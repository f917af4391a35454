import ArgumentParser
import Foundation

/// `herald-bench external`: the real heraldd release binary, run as an operator runs it (its own
/// TOML config and SQLite queue in a temp folder, a producer inserting into the outbox while it
/// runs), measured from outside against the canned-201 carrier, beside the libcurl ceiling
/// measured in the same run. Every figure is taken `--repeats` times: median and range.
struct ExternalBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "external",
        abstract: "Drives the real heraldd binary from outside: throughput, CPU per text, peak RSS, idle latency and the scale guards."
    )

    @Option(help: "Base URL of a Twilio-compatible endpoint that answers every Messages POST with 201, e.g. http://127.0.0.1:8099.")
    var carrierURL: String

    @Option(help: "The heraldd binary to run.")
    var heraldd = ".build/release/heraldd"

    @Option(help: "The heraldctl binary that records consent and asks heraldd for its status.")
    var heraldctl = ".build/release/heraldctl"

    @Option(help: "Texts a producer inserts while heraldd runs, per repetition (the ceiling posts as many).")
    var texts = 50_000

    @Option(help: "carrier.max_in_flight, and the ceiling's concurrency.")
    var inFlight = 64

    @Option(help: "Senders (users with their own number) the texts come from.")
    var senders = 10

    @Option(help: "Opted-in recipients the texts go to.")
    var recipients = 100

    @Option(help: "Single texts whose latency from outbox row to sent is taken, one at a time into an idle heraldd.")
    var idleTexts = 50

    // 20,000 lasted about a second once heraldd sent 17,000 a second: a single pause of the
    // machine then moved the ratio by a tenth.
    @Option(help: "Due texts timed beside each deferred queue.")
    var due = 100_000

    @Option(help: "The deferred queue of the scale guards (texts due a week later), and the ingested backlog.")
    var deferred = 1_000_000

    @Option(help: "The small deferred queue the large one is compared with.")
    var deferredBaseline = 10_000

    @Option(help: "Times each figure is measured.")
    var repeats = 3

    @Option(help: "Seconds any single wait may take before the run fails.")
    var timeout = 900

    @Flag(help: "Skip the throughput, CPU, RSS and idle-latency runs.")
    var skipThroughput = false

    @Flag(help: "Skip the scale guards (deferred queue, RSS with it queued, backlog ingest).")
    var skipScale = false

    @Option(help: "After the measured runs, one more throughput run under `perf record -e cpu-clock -g`, written to this file.")
    var perfRecord: String?

    @Option(help: "How perf record walks stacks: fp (frame pointers) or dwarf (slower, but sees through SQLite, which has no frame pointers).")
    var perfCallGraph = "fp"

    func validate() throws {
        guard texts > 0, inFlight > 0, senders > 0, recipients > 0, recipients <= 9_900, idleTexts > 0, due > 0,
              deferred > 0, deferredBaseline > 0, repeats > 0, timeout > 0 else {
            throw ValidationError("counts must be positive (at most 9,900 recipients)")
        }
        guard ["fp", "dwarf"].contains(perfCallGraph) else { throw ValidationError("--perf-call-graph is fp or dwarf, not \(perfCallGraph)") }
        for (name, path) in [("--heraldd", heraldd), ("--heraldctl", heraldctl)] where !FileManager.default.isExecutableFile(atPath: path) {
            throw ValidationError("\(name) \(path) is not an executable; build it with swift build -c release --product \((path as NSString).lastPathComponent)")
        }
    }

    func run() async throws {
        // One line per run as it ends, also into a pipe or a file: a 6-minute bench should show progress.
        StandardOutput.lineBuffered()
        var base = carrierURL
        while base.hasSuffix("/") { base.removeLast() }
        let workload = Workload(carrierURL: base, inFlight: inFlight, senders: senders, recipients: recipients)
        let (heraldd, heraldctl) = (Self.absolute(heraldd), Self.absolute(heraldctl))
        print("external: \(heraldd), \(texts) texts per run, \(inFlight) in flight, \(senders) senders, \(recipients) recipients, "
            + "\(repeats) runs of each figure; load average \(Self.loadAverage())")
        let limit = Duration.seconds(timeout)
        var report = ExternalReport(texts: texts, inFlight: inFlight, idleTexts: idleTexts, due: due, deferred: deferred, baseline: deferredBaseline)

        if !skipThroughput {
            let repetition = ThroughputRepetition(heraldd: heraldd, heraldctl: heraldctl, workload: workload, texts: texts,
                                                  idleTexts: idleTexts, timeout: limit)
            for index in 1...repeats {
                let figure = try await repetition.run(index)
                report.throughput.append(figure)
                print("external: run \(index)/\(repeats): " + ExternalReport.line(figure) + "; load average \(Self.loadAverage())")
            }
        }
        if !skipScale {
            let run = DeferredQueueRun(heraldd: heraldd, heraldctl: heraldctl, workload: workload, due: due, timeout: limit)
            for index in 1...repeats {
                // Alternated, so a change in the machine's load falls on both sides of the ratio.
                let small = try await run.run(deferred: deferredBaseline, name: "deferred-small\(index)")
                let large = try await run.run(deferred: deferred, name: "deferred-large\(index)")
                report.scale.append((small, large))
                print("external: scale run \(index)/\(repeats): " + ExternalReport.line(small: small, large: large) + "; load average \(Self.loadAverage())")
            }
        }
        report.print()
        if let perfRecord {
            let figure = try await ProfiledRun(heraldd: heraldd, heraldctl: heraldctl, workload: workload, texts: texts, timeout: limit,
                                               output: perfRecord, callGraph: perfCallGraph).run()
            print("external: profiled run (not counted): \(Spread.format(figure.claimToSentPerSecond, 0)) msg/s, "
                + "\(Spread.format(figure.cpuMicrosPerText, 0)) µs CPU per text; perf data in \(perfRecord)")
        }
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// The machine is shared: the load beside each run says how much to trust it.
    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }
}
