import ArgumentParser

/// `herald-bench`: the in-process bench stays the default, so `herald-bench --carrier-url …`
/// works as before; `herald-bench external` drives the real heraldd binary from outside, and
/// `herald-bench shared-queue` runs it on PostgreSQL, one instance and several, beside SQLite.
@main
struct HeraldBenchMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald-bench",
        abstract: "Herald's benchmarks against a canned-201 carrier: in this process, or the real heraldd seen from outside.",
        subcommands: [HeraldBenchCommand.self, ExternalBenchCommand.self, SharedQueueBenchCommand.self],
        defaultSubcommand: HeraldBenchCommand.self
    )
}
