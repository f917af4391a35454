import ArgumentParser
import Foundation

/// `herald-bench shared-queue`: the real heraldd on PostgreSQL, one instance and three sharing one
/// queue, beside one heraldd on SQLite, in the same run against the same canned-201 carrier, each
/// figure `--repeats` times (median and range), with the texts each instance claimed.
struct SharedQueueBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shared-queue",
        abstract: "Throughput of the real heraldd on PostgreSQL (one instance, and several sharing one queue) beside SQLite."
    )

    @Option(help: "Base URL of a Twilio-compatible endpoint that answers every Messages POST with 201.")
    var carrierURL: String

    @Option(help: "The folder of the PostgreSQL server's Unix socket (a private cluster; make bench starts one).")
    var postgresSocketFolder: String

    @Option(help: "The PostgreSQL server's port (names its socket).")
    var postgresPort = 5432

    @Option(help: "The PostgreSQL user, allowed to create databases.")
    var postgresUser = "herald"

    @Option(help: "The heraldd binary to run.")
    var heraldd = ".build/release/heraldd"

    @Option(help: "The heraldctl binary that records consent.")
    var heraldctl = ".build/release/heraldctl"

    @Option(help: "Texts a producer inserts while the instances run, per run.")
    var texts = 20_000

    @Option(parsing: .upToNextOption, help: "How many instances share the queue, one figure each.")
    var instances: [Int] = [1, 3]

    @Option(help: "carrier.max_in_flight of each instance.")
    var inFlight = 64

    @Option(help: "Times each figure is measured.")
    var repeats = 3

    @Option(help: "Seconds any single wait may take before the run fails.")
    var timeout = 900

    func validate() throws {
        guard texts > 0, inFlight > 0, repeats > 0, timeout > 0, !instances.isEmpty, instances.allSatisfy({ $0 > 0 && $0 <= 10 }) else {
            throw ValidationError("counts must be positive, and 1 to 10 instances")
        }
    }

    func run() async throws {
        StandardOutput.lineBuffered()
        var base = carrierURL
        while base.hasSuffix("/") { base.removeLast() }
        let workload = Workload(carrierURL: base, inFlight: inFlight, senders: 10, recipients: 100)
        let (heraldd, heraldctl) = (ExternalBenchCommand.absolute(heraldd), ExternalBenchCommand.absolute(heraldctl))
        let cluster = BenchPostgres(folder: postgresSocketFolder, port: postgresPort, user: postgresUser, database: "postgres")
        let limit = Duration.seconds(timeout)
        let postgres = SharedQueueRun(heraldd: heraldd, heraldctl: heraldctl, workload: workload, cluster: cluster, timeout: limit)
        print("shared-queue: \(texts) texts per run from 10 senders, \(inFlight) in flight per instance, \(repeats) runs of each figure; "
            + "load average \(ExternalBenchCommand.loadAverage())")
        var sqlite: [TextBatch.Figure] = []
        var shared: [Int: [SharedQueueRun.Figure]] = [:]
        for index in 1...repeats {
            // Alternated within each repetition, so a change in the machine's load falls on every figure.
            let installed = try await InstalledDaemon.install(name: "sq-sqlite\(index)", heraldd: heraldd, heraldctl: heraldctl, workload: workload)
            do {
                let figure = try await TextBatch(daemon: installed.daemon, producer: installed.producer, observer: installed.observer,
                                                 timeout: limit).send(texts)
                sqlite.append(figure)
                print("shared-queue: run \(index)/\(repeats): SQLite, 1 instance: \(Spread.format(figure.claimToSentPerSecond, 0)) msg/s, "
                    + "\(Spread.format(figure.cpuMicrosPerText, 0)) µs CPU per text")
            } catch {
                await installed.tearDown()
                throw error
            }
            await installed.tearDown()
            for count in instances {
                let figure = try await postgres.run(instances: count, texts: texts, name: "r\(index)_n\(count)")
                shared[count, default: []].append(figure)
                print("shared-queue: run \(index)/\(repeats): PostgreSQL, \(count) instance\(count == 1 ? "" : "s"): "
                    + "\(Spread.format(figure.claimToSentPerSecond, 0)) msg/s, \(Spread.format(figure.cpuMicrosPerText, 0)) µs CPU per text; "
                    + "claimed \(figure.claims.map { "\($0.0) \($0.1)" }.joined(separator: ", "))")
            }
        }
        print("")
        print("| queue | instances | msg/s, first claim to last sent | msg/s, first insert to last sent | CPU per text, all instances | texts claimed per instance (median) |")
        print("|---|---|---|---|---|---|")
        print("| SQLite | 1 | \(Spread(values: sqlite.map(\.claimToSentPerSecond)).text()) | \(Spread(values: sqlite.map(\.insertToSentPerSecond)).text()) "
            + "| \(Spread(values: sqlite.map(\.cpuMicrosPerText)).text()) µs | – |")
        for count in instances {
            let figures = shared[count] ?? []
            let ids = Set(figures.flatMap { $0.claims.map(\.0) }).sorted()
            let claimed = ids.map { id in
                "\(id) \(Spread.format(Spread(values: figures.map { Double($0.claims.first { $0.0 == id }?.1 ?? 0) }).median, 0))"
            }.joined(separator: ", ")
            print("| PostgreSQL | \(count) | \(Spread(values: figures.map(\.claimToSentPerSecond)).text()) "
                + "| \(Spread(values: figures.map(\.insertToSentPerSecond)).text()) | \(Spread(values: figures.map(\.cpuMicrosPerText)).text()) µs "
                + "| \(claimed) |")
            let ratio = Spread(values: figures.map(\.claimToSentPerSecond)).median / Spread(values: sqlite.map(\.claimToSentPerSecond)).median
            print("BENCH_SHARED_QUEUE backend=postgresql instances=\(count) texts=\(texts) msgs_per_s=\(Formatting.whole(Spread(values: figures.map(\.claimToSentPerSecond)).median)) "
                + "ratio_to_sqlite=\(String(format: "%.2f", ratio))")
        }
    }
}
