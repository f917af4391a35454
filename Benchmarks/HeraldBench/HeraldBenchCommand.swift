import ArgumentParser
import Foundation

/// `make bench`: Herald's end-to-end throughput against a fast loopback carrier, next to the
/// rate a bare libcurl-multi loop reaches against the same endpoint.
@main
struct HeraldBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald-bench",
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

    @Flag(help: "Measure Herald only (for profiling runs).")
    var skipCeiling = false

    func validate() throws {
        guard messages > 0, inFlight > 0, senders > 0, timeout > 0 else {
            throw ValidationError("--messages, --in-flight, --senders and --timeout must be positive")
        }
        guard carrierURL.hasPrefix("http://") || carrierURL.hasPrefix("https://") else {
            throw ValidationError("--carrier-url must start with http:// or https://")
        }
    }

    func run() async throws {
        var base = carrierURL
        while base.hasSuffix("/") { base.removeLast() }
        let settings = BenchSettings(
            carrierURL: base, messages: messages, inFlight: inFlight, senders: senders, timeout: .seconds(timeout)
        )
        print("herald-bench: N=\(messages) in-flight=\(inFlight) senders=\(senders) carrier=\(base)")

        let herald = try await HeraldRun(settings: settings).run()
        let heraldRate = Self.rate(messages, herald.deliveryTime)
        let durability = herald.durability
        print("database in \(FileManager.default.temporaryDirectory.path); daemon writer runs journal_mode=\(durability.journalMode) synchronous=\(durability.synchronousName)\(durability.everyCommitSynced ? "" : " (WARNING: commits are not synced one by one; transitions are not durable across power loss)")")
        print("insert:  \(messages) outbox rows in \(Self.secondsText(herald.insertTime)) s (\(Self.format(Self.rate(messages, herald.insertTime))) rows/s, batches of \(OutboxFiller.batchSize))")
        print("herald:  \(messages) messages sent in \(Self.secondsText(herald.deliveryTime)) s = \(Self.format(heraldRate)) msg/s (\(herald.events.values.reduce(0, +)) events: \(Self.describe(herald.events)))")
        print("commits: ~\(Self.batches(herald.commits, "queued", messages: messages)) ingest, ~\(Self.batches(herald.commits, "sending", messages: messages)) claim, ~\(Self.batches(herald.commits, "sent", messages: messages)) record commits (messages per commit)")
        guard !skipCeiling else {
            print("BENCH herald_msgs_per_s=\(Self.format(heraldRate)) n=\(messages) in_flight=\(inFlight) synchronous=\(durability.synchronousName)")
            return
        }

        let ceiling = try await CurlCeiling(settings: settings).run()
        let ceilingRate = Self.rate(messages, ceiling.elapsed)
        print("ceiling: \(messages) POSTs in \(Self.secondsText(ceiling.elapsed)) s = \(Self.format(ceilingRate)) req/s through CurlMulti (\(ceiling.connectionsOpened) connections opened, \(ceiling.failures) not 201)")
        if let failure = ceiling.firstFailure {
            print("ceiling: first request that did not get 201: \(failure)")
        }
        let ratio = heraldRate / ceilingRate
        // The target is for durable transitions; a faster run without per-commit syncs does not meet it.
        let verdict = heraldRate >= Self.targetPerSecond && durability.everyCommitSynced ? "meets" : "misses"
        print("summary: herald \(Self.format(heraldRate)) msg/s vs ceiling \(Self.format(ceilingRate)) req/s, herald/ceiling = \(String(format: "%.2f", ratio)); \(verdict) the \(Self.format(Self.targetPerSecond)) msg/s durable target")
        print("BENCH herald_msgs_per_s=\(Self.format(heraldRate)) curl_ceiling_per_s=\(Self.format(ceilingRate)) ratio=\(String(format: "%.3f", ratio)) n=\(messages) in_flight=\(inFlight) synchronous=\(durability.synchronousName)")
        if ceiling.failures > 0 {
            throw ExitCode.failure
        }
    }

    static func rate(_ count: Int, _ duration: Duration) -> Double {
        Double(count) / max(seconds(duration), 1e-9)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (whole, fraction) = duration.components
        return Double(whole) + Double(fraction) / 1e18
    }

    static func secondsText(_ duration: Duration) -> String { String(format: "%.3f", seconds(duration)) }

    static func format(_ value: Double) -> String { String(format: "%.0f", value) }

    /// "commits (messages per commit)" for one kind of transition.
    static func batches(_ commits: [String: Int], _ state: String, messages: Int) -> String {
        let count = commits[state] ?? 0
        guard count > 0 else { return "0" }
        return "\(count) (\(String(format: "%.1f", Double(messages) / Double(count))))"
    }

    static func describe(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
