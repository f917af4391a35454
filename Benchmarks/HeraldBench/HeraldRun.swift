import Foundation
import HeraldStore
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
        /// CPU the whole process (daemon, curl thread and the bench's own polling) used meanwhile.
        var deliveryCPU: Duration
        var durability: Durability
        var record: RunRecord
        /// How long writing the reconcile backlog took.
        var backlogTime: Duration?
    }

    enum Failure: Error, CustomStringConvertible {
        case timedOut(after: Duration, pending: Int, outbox: Int)
        case incomplete(states: [String: Int], expected: Int)
        case missingEvents(events: [String: Int], expected: Int)

        var description: String {
            switch self {
            case let .timedOut(after, pending, outbox):
                "not every message was sent within \(after): \(pending) messages still pending, \(outbox) rows still in the outbox"
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
        defer { try? FileManager.default.removeItem(at: directory) }

        let configuration = try BenchConfiguration.make(directory: directory, webhookPort: try FreePort.find(), settings: settings)
        var logger = Logger(label: "herald-bench")
        logger.logLevel = .warning
        // The daemon migrates the schema here, so the producer finds the outbox before anything runs.
        let daemon = try Daemon(configuration: configuration, authToken: BenchSettings.authToken, logger: logger)
        // The SQLite store itself, to read back what its writer connection runs with.
        guard let sqlite = daemon.database as? QueueDatabase else { throw BenchError.notSQLite }
        let durability = try await Durability.of(sqlite)
        var producerConfiguration = Configuration()
        producerConfiguration.busyMode = .timeout(10)
        let producer = try DatabaseQueue(path: configuration.database.path, configuration: producerConfiguration)

        // Conversational texts need an opt-in: the recipients opted in before the run, as an import would record it.
        let recipients = Set((0..<min(settings.messages, 100)).map(BenchSettings.recipient))
        try await daemon.database.setConsent(recipients.map {
            ConsentRequest(org: BenchSettings.org, number: $0, state: .optedIn, type: .api, changedBy: "herald-bench")
        }, now: Date())
        var backlog: ReconcileBacklog.Filled?
        if settings.reconcileBacklog > 0 {
            backlog = try ReconcileBacklog.fill(producer, count: settings.reconcileBacklog, senders: settings.senders,
                                                reconcileAfter: configuration.reconcile.after, now: Date())
        }
        let backlogLastID = backlog?.lastID ?? 0
        let insertTime = try OutboxFiller.fill(producer, messages: settings.messages, senders: settings.senders)

        // Inside a parent group the daemon shuts down gracefully when asked, as under SIGTERM,
        // instead of being cancelled halfway through closing its listener.
        let lifecycle = ServiceGroup(configuration: .init(services: [.init(service: DaemonService(daemon: daemon))], logger: logger))
        let startMillis = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        let cpuBefore = ProcessCPU.used()
        let started = ContinuousClock.now
        let (deliveryTime, deliveryCPU) = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await lifecycle.run() }
            do {
                try await waitUntilAllSent(producer, since: started)
            } catch {
                await lifecycle.triggerGracefulShutdown()
                throw error
            }
            let deliveryTime = started.duration(to: .now)
            let deliveryCPU = ProcessCPU.used() - cpuBefore
            await lifecycle.triggerGracefulShutdown()
            try await group.waitForAll()
            return (deliveryTime, deliveryCPU)
        }

        let record = try await RunRecord.read(producer, startMillis: startMillis, after: backlogLastID)
        guard record.states == ["sent": settings.messages] else {
            throw Failure.incomplete(states: record.states, expected: settings.messages)
        }
        guard record.events == ["queued": settings.messages, "sending": settings.messages, "sent": settings.messages] else {
            throw Failure.missingEvents(events: record.events, expected: settings.messages)
        }
        return Result(insertTime: insertTime, deliveryTime: deliveryTime, deliveryCPU: deliveryCPU, durability: durability, record: record,
                      backlogTime: backlog?.time)
    }

    /// Done when the outbox is empty and nothing is left in a pre-final state (a backlog is all
    /// `sent`, so it never counts as pending). Both checks are
    /// O(1) lookups (the outbox's first rowid, the first pending entry of `message_state`), so
    /// polling costs the daemon next to nothing; counting rows here cost it measurable CPU.
    private func waitUntilAllSent(_ producer: DatabaseQueue, since started: ContinuousClock.Instant) async throws {
        let deadline = started + settings.timeout
        while true {
            let busy = try await producer.read { db in
                try Bool.fetchOne(db, sql: """
                    SELECT EXISTS (SELECT 1 FROM outbox)
                        OR EXISTS (SELECT 1 FROM message WHERE state IN ('queued', 'scheduled', 'sending'))
                    """) ?? true
            }
            if !busy { return }
            if ContinuousClock.now > deadline {
                let (pending, outbox) = try await producer.read { db in
                    (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE state IN ('queued', 'scheduled', 'sending')") ?? 0,
                     try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0)
                }
                throw Failure.timedOut(after: settings.timeout, pending: pending, outbox: outbox)
            }
            try await Task.sleep(for: Self.pollInterval)
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
