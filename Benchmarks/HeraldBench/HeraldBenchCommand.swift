import ArgumentParser
import Foundation

/// `herald-bench in-process` (the default subcommand): Herald's end-to-end throughput against a
/// fast loopback carrier, with the daemon in this process, next to the rate a bare libcurl-multi
/// loop reaches against the same endpoint.
struct HeraldBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "in-process",
        abstract: "Times N outbox messages until all are sent, and a plain libcurl-multi loop posting the same requests."
    )

    /// The issue's acceptance target, end to end with every transition durable.
    static let targetPerSecond = 5000.0

    @Option(help: "Base URL of a Twilio-compatible endpoint that answers every Messages POST with 201, e.g. http://127.0.0.1:8099.")
    var carrierURL: String

    @Option(help: "Messages to send.")
    var messages = 20000

    @Option(help: "POSTs in flight at once (carrier.max_in_flight, and the ceiling's concurrency).")
    var inFlight = 64

    @Option(help: "Sender numbers the messages are spread over.")
    var senders = 8

    @Option(help: "Seconds to wait for every message to be sent before giving up.")
    var timeout = 300

    @Option(help: ArgumentHelp(
        "Texts already sent and waiting for a reconciliation lookup when heraldd starts (0: none).",
        discussion: "heraldd makes them due within its first minute, so the reconcile service looks them up during the run; the carrier must answer GET Messages/{sid}.json."
    ))
    var reconcileBacklog = 0

    @Flag(help: "Measure Herald only (for profiling runs).")
    var skipCeiling = false

    @Option(help: "Members of the group a broadcast's fan-out is timed with (0 skips it).")
    var fanOutMembers = 100_000

    @Flag(help: "Time the rules and the broadcast fan-out only; no carrier is contacted.")
    var fanOutOnly = false

    func validate() throws {
        guard messages > 0, inFlight > 0, senders > 0, timeout > 0 else {
            throw ValidationError("--messages, --in-flight, --senders and --timeout must be positive")
        }
        guard reconcileBacklog >= 0 else {
            throw ValidationError("--reconcile-backlog cannot be negative")
        }
        guard carrierURL.hasPrefix("http://") || carrierURL.hasPrefix("https://") else {
            throw ValidationError("--carrier-url must start with http:// or https://")
        }
    }

    func run() async throws {
        var base = carrierURL
        while base.hasSuffix("/") { base.removeLast() }
        let settings = BenchSettings(
            carrierURL: base, messages: messages, inFlight: inFlight, senders: senders, timeout: .seconds(timeout),
            reconcileBacklog: reconcileBacklog
        )
        print("herald-bench: N=\(messages) in-flight=\(inFlight) senders=\(senders) reconcile-backlog=\(reconcileBacklog) carrier=\(base)")
        let rules = try RulesThroughput().run()
        for figure in rules {
            print("rules:   \(figure.name): \(Formatting.whole(figure.perSecond)) per second on one core")
        }
        print("BENCH_RULES " + rules.map { "\($0.name.replacingOccurrences(of: " ", with: "_"))_per_s=\(Formatting.whole($0.perSecond))" }.joined(separator: " "))
        if fanOutMembers > 0 {
            let fanOut = try await FanOutThroughput().run(members: fanOutMembers)
            let rate = Double(fanOut.members) / fanOut.seconds
            print("fan-out: \(fanOut.members) members into messages in \(String(format: "%.2f", fanOut.seconds)) s = \(Formatting.whole(rate)) members/s, "
                + "\(FanOutThroughput.batchSize) per transaction; peak RSS \(fanOut.rssBeforeKiB ?? -1) KiB before, \(fanOut.peakRSSKiB ?? -1) KiB after")
            print("BENCH_FANOUT members=\(fanOut.members) members_per_s=\(Formatting.whole(rate)) vmhwm_kib_before=\(fanOut.rssBeforeKiB ?? -1) vmhwm_kib=\(fanOut.peakRSSKiB ?? -1)")
        }
        if fanOutOnly { return }

        let herald = try await HeraldRun(settings: settings).run()
        let heraldRate = Formatting.rate(messages, herald.deliveryTime)
        report(herald, rate: heraldRate)
        let durability = herald.durability
        let tail = "n=\(messages) in_flight=\(inFlight) reconcile_backlog=\(reconcileBacklog) synchronous=\(durability.synchronousName)"
        guard !skipCeiling else {
            print("BENCH herald_msgs_per_s=\(Formatting.whole(heraldRate)) \(tail)")
            return
        }

        let ceiling = try await CurlCeiling(settings: settings).run()
        let ceilingRate = Formatting.rate(messages, ceiling.elapsed)
        print("ceiling: \(messages) POSTs in \(Formatting.time(ceiling.elapsed)) = \(Formatting.whole(ceilingRate)) req/s through CurlMulti, \(Formatting.whole(Formatting.seconds(ceiling.cpu) * 1e6 / Double(messages))) µs CPU per request (\(ceiling.connectionsOpened) connections opened, \(ceiling.failures) not 201)")
        if let failure = ceiling.firstFailure {
            print("ceiling: first request that did not get 201: \(failure)")
        }
        let ratio = heraldRate / ceilingRate
        // The target is for durable transitions; a faster run without per-commit syncs does not meet it.
        let verdict = heraldRate >= Self.targetPerSecond && durability.everyCommitSynced ? "meets" : "misses"
        print("summary: herald \(Formatting.whole(heraldRate)) msg/s vs ceiling \(Formatting.whole(ceilingRate)) req/s, herald/ceiling = \(String(format: "%.2f", ratio)); \(verdict) the \(Formatting.whole(Self.targetPerSecond)) msg/s durable target")
        print("BENCH herald_msgs_per_s=\(Formatting.whole(heraldRate)) curl_ceiling_per_s=\(Formatting.whole(ceilingRate)) ratio=\(String(format: "%.3f", ratio)) \(tail)")
        if ceiling.failures > 0 {
            throw ExitCode.failure
        }
    }

    private func report(_ herald: HeraldRun.Result, rate: Double) {
        let durability = herald.durability
        let record = herald.record
        let warning = durability.everyCommitSynced ? "" : " (WARNING: commits are not synced one by one, so transitions are not durable across power loss)"
        print("database: \(FileManager.default.temporaryDirectory.path); the daemon's writer runs journal_mode=\(durability.journalMode) synchronous=\(durability.synchronousName)\(warning)")
        if let backlogTime = herald.backlogTime {
            print("backlog: \(reconcileBacklog) texts sent \(Formatting.whole(ReconcileBacklog.sentAgo)) s before the run and waiting for a lookup, "
                + "written in \(Formatting.time(backlogTime)); heraldd makes them due within its first minute")
        }
        print("insert:  \(messages) outbox rows in \(Formatting.time(herald.insertTime)) (\(Formatting.whole(Formatting.rate(messages, herald.insertTime))) rows/s, \(OutboxFiller.batchSize) per transaction)")
        print("herald:  \(messages) messages sent in \(Formatting.time(herald.deliveryTime)) = \(Formatting.whole(rate)) msg/s (\(record.events.values.reduce(0, +)) events: \(Formatting.counts(record.events)))")
        let cpu = Formatting.seconds(herald.deliveryCPU)
        print("cpu:     \(String(format: "%.2f", cpu)) s of CPU meanwhile = \(Formatting.whole(cpu * 1e6 / Double(messages))) µs per message, \(String(format: "%.2f", cpu / Formatting.seconds(herald.deliveryTime))) cores busy of \(ProcessInfo.processInfo.activeProcessorCount)")
        print("commits: ~\(Formatting.commits(record.commits, "queued", messages: messages)) ingest, ~\(Formatting.commits(record.commits, "sending", messages: messages)) claim, ~\(Formatting.commits(record.commits, "sent", messages: messages)) record (messages per commit)")
        let afterIngest = record.lastSent - record.ingestDone
        let sentAfter = messages - record.sentDuringIngest
        print("phases:  ingest done at \(Formatting.time(record.ingestDone)) with \(record.sentDuringIngest) sent meanwhile (\(Formatting.whole(Formatting.rate(record.sentDuringIngest, record.ingestDone))) msg/s); then \(sentAfter) sent in \(Formatting.time(afterIngest)) (\(Formatting.whole(Formatting.rate(sentAfter, afterIngest))) msg/s)")
    }
}
