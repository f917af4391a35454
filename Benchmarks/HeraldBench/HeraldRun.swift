import Foundation
import GRDB
import HeraldConfig
import HeraldDaemon
import Logging
import ServiceLifecycle

/// The end-to-end measurement: N outbox rows, an in-process heraldd, and the wall time until
/// every one of them is durably `sent`.
struct HeraldRun {
    struct Result {
        var insertTime: Duration
        var deliveryTime: Duration
        var states: [String: Int]
        var events: [String: Int]
        /// Distinct commit instants per kind of transition: a close lower bound on the number of
        /// transactions (two commits within the same millisecond count once), so batch sizes show.
        var commits: [String: Int]
        /// What the daemon's writer connection really runs with, read back rather than assumed.
        var durability: Durability
    }

    struct Durability {
        var journalMode: String
        var synchronous: Int

        /// SQLite's names for `PRAGMA synchronous` values.
        var synchronousName: String {
            switch synchronous {
            case 0: "OFF"
            case 1: "NORMAL"
            case 2: "FULL"
            case 3: "EXTRA"
            default: "\(synchronous)"
            }
        }

        /// In WAL mode only FULL and EXTRA sync the log at every commit; NORMAL syncs at
        /// checkpoints, so a power cut can undo transitions already reported.
        var everyCommitSynced: Bool { synchronous >= 2 }
    }

    enum Failure: Error, CustomStringConvertible {
        case timedOut(after: Duration, states: [String: Int], outbox: Int)
        case incomplete(states: [String: Int], expected: Int)
        case missingEvents(events: [String: Int], expected: Int)

        var description: String {
            switch self {
            case let .timedOut(after, states, outbox):
                "not every message was sent within \(after): states \(states), \(outbox) rows still in the outbox"
            case let .incomplete(states, expected):
                "expected \(expected) sent messages, found states \(states)"
            case let .missingEvents(events, expected):
                "expected \(expected) events each of queued, sending and sent, found \(events)"
            }
        }
    }

    /// How often the producer's connection looks at progress; bounds the timing error.
    static let pollInterval: Duration = .milliseconds(20)

    let settings: BenchSettings

    func run() async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if ProcessInfo.processInfo.environment["XEXPERIMENT_KEEP"] != nil { print("XEXPERIMENT kept \(directory.path)") } else { try? FileManager.default.removeItem(at: directory) } } // XEXPERIMENT

        let configuration = try BenchConfiguration.make(directory: directory, webhookPort: try FreePort.find(), settings: settings)
        var logger = Logger(label: "herald-bench")
        logger.logLevel = .warning
        // The daemon migrates the schema here, so the producer finds the outbox before anything runs.
        let daemon = try Daemon(configuration: configuration, authToken: BenchSettings.authToken, logger: logger)
        if ProcessInfo.processInfo.environment["XEXPERIMENT_FULL"] != nil { try await daemon.database.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") } } // XEXPERIMENT
        let durability = try await daemon.database.pool.writeWithoutTransaction { db in
            Durability(
                journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?",
                synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            )
        }
        var producerConfiguration = Configuration()
        producerConfiguration.busyMode = .timeout(10)
        let producer = try DatabaseQueue(path: configuration.database.path, configuration: producerConfiguration)

        let insertTime = try OutboxFiller.fill(producer, messages: settings.messages, senders: settings.senders)

        // Inside a parent group the daemon shuts down gracefully when asked, as under SIGTERM,
        // instead of being cancelled halfway through closing its listener.
        let lifecycle = ServiceGroup(configuration: .init(services: [.init(service: DaemonService(daemon: daemon))], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let started = ContinuousClock.now
            print("XEXPERIMENT start_ms=\(Int64(Date().timeIntervalSince1970 * 1000))") // XEXPERIMENT
            group.addTask { try await lifecycle.run() }
            do {
                try await waitUntilAllSent(producer, since: started)
            } catch {
                await lifecycle.triggerGracefulShutdown()
                throw error
            }
            let deliveryTime = started.duration(to: .now)
            await lifecycle.triggerGracefulShutdown()
            try await group.waitForAll()

            let states = try await countStates(producer)
            guard states["sent"] == settings.messages, states.count == 1 else {
                throw Failure.incomplete(states: states, expected: settings.messages)
            }
            let events = try await countEvents(producer)
            guard ["queued", "sending", "sent"].allSatisfy({ events[$0] == settings.messages }), events.count == 3 else {
                throw Failure.missingEvents(events: events, expected: settings.messages)
            }
            let commits = try await producer.read { db in
                Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: """
                    SELECT to_state, COUNT(DISTINCT at) AS n FROM message_event GROUP BY to_state
                    """).map { ($0["to_state"] as String, $0["n"] as Int) })
            }
            return Result(insertTime: insertTime, deliveryTime: deliveryTime, states: states, events: events, commits: commits, durability: durability)
        }
    }

    /// Done when the outbox is empty and nothing is left in a pre-final state. Both queries walk
    /// only what is still pending (the outbox's rowid, the `message_state` index), so polling
    /// gets cheaper as the run progresses instead of competing with the daemon for the CPU.
    private func waitUntilAllSent(_ producer: DatabaseQueue, since started: ContinuousClock.Instant) async throws {
        let deadline = started + settings.timeout
        while true {
            let (outbox, pending) = try await producer.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE state IN ('queued', 'scheduled', 'sending')") ?? 0
                )
            }
            if outbox == 0, pending == 0 { return }
            if ContinuousClock.now > deadline {
                throw Failure.timedOut(after: settings.timeout, states: try await countStates(producer), outbox: outbox)
            }
            try await Task.sleep(for: Self.pollInterval)
        }
    }

    private func countStates(_ producer: DatabaseQueue) async throws -> [String: Int] {
        try await producer.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM message GROUP BY state").map {
                ($0["state"] as String, $0["n"] as Int)
            })
        }
    }

    private func countEvents(_ producer: DatabaseQueue) async throws -> [String: Int] {
        try await producer.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT to_state, COUNT(*) AS n FROM message_event GROUP BY to_state").map {
                ($0["to_state"] as String, $0["n"] as Int)
            })
        }
    }
}

/// The in-process daemon as a child of the benchmark's own service group.
private struct DaemonService: Service {
    let daemon: Daemon

    func run() async throws {
        try await daemon.run(gracefulShutdownSignals: [])
    }
}
