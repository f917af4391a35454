import Foundation
import PostgresNIO

/// One run of `instances` real heraldd on one PostgreSQL queue (a database of its own): a
/// producer inserts `texts` while they run, and the run ends when every text is `sent`.
struct SharedQueueRun {
    struct Figure {
        var instances: Int
        var texts: Int
        /// The instances' first claim to their last `sent`, from the queue's own events.
        var claimToSentPerSecond: Double
        /// The producer's first insert to the poll that saw the last `sent`.
        var insertToSentPerSecond: Double
        /// CPU of every instance together, per text.
        var cpuMicrosPerText: Double
        /// Texts whose last claim each instance made, by `[instance] id`.
        var claims: [(String, Int)]
    }

    let heraldd: String
    let heraldctl: String
    let workload: Workload
    let cluster: BenchPostgres
    let timeout: Duration

    func run(instances: Int, texts: Int, name: String) async throws -> Figure {
        let database = "herald_bench_\(name)"
        try await cluster.execute(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"))
        try await cluster.execute(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database)"))
        let queue = cluster.on(database)
        var daemons: [HeraldDaemonProcess] = []
        func tearDown() async {
            for daemon in daemons {
                do { try await daemon.stop() } catch { print("shared-queue: \(error)") }
                daemon.kill9IfRunning()
                daemon.state.remove()
            }
        }
        do {
            for index in 1...instances {
                let state = try OperatorState.make(name: "\(name)-i\(index)", heraldd: heraldd, heraldctl: heraldctl, workload: workload, queue: """
                    [database]
                    backend = "postgresql"
                    url = "\(cluster.url(of: database))"

                    [instance]
                    id = "i\(index)"
                    """)
                let daemon = try HeraldDaemonProcess(state: state)
                daemons.append(daemon)
                try daemon.start()
                // One at a time: the first migrates the queue, and the others find it done.
                try await daemon.waitReady()
            }
            try await daemons[0].state.recordConsent()
            // Every instance holds its share of the senders before the clock starts.
            try await Waiting.until("\(instances) instances to share the \(workload.senders) senders", timeout: timeout,
                                    interval: .milliseconds(100)) {
                try await queue.int("""
                    SELECT COUNT(DISTINCT holder) FROM instance_lease WHERE name <> 'shared_work' AND expires_at > \(Self.millis(Date()))
                    """) == min(instances, workload.senders)
            }
            let cpuBefore = try daemons.map { try ProcStat.cpu($0.pid) }
            let started = ContinuousClock.now
            try await queue.produce(texts, from: 0, workload: workload)
            try await Waiting.until("\(texts) texts to be sent", timeout: timeout, interval: .milliseconds(50), detail: {
                "states \(try await queue.pairs("SELECT state, COUNT(*)::int FROM message GROUP BY state"))"
            }) {
                for daemon in daemons { try daemon.checkAlive() }
                return try await queue.int("SELECT COUNT(*)::int FROM message WHERE state = 'sent'") == texts
            }
            let elapsed = started.duration(to: .now)
            let cpu = try zip(daemons, cpuBefore).map { try ProcStat.cpu($0.pid) - $1 }.reduce(Duration.zero, +)
            let span = try await queue.int("""
                SELECT (MAX(at) FILTER (WHERE to_state = 'sent') - MIN(at) FILTER (WHERE to_state = 'sending'))::int FROM message_event
                """)
            let claims = try await queue.pairs("SELECT COALESCE(claimed_by, '-'), COUNT(*)::int FROM message GROUP BY 1 ORDER BY 1")
            await tearDown()
            try await cluster.execute(PostgresQuery(unsafeSQL: "DROP DATABASE \(database) WITH (FORCE)"))
            return Figure(
                instances: instances, texts: texts,
                claimToSentPerSecond: Double(texts) / max(Double(span) / 1000, 0.001),
                insertToSentPerSecond: Formatting.rate(texts, elapsed),
                cpuMicrosPerText: Formatting.seconds(cpu) * 1e6 / Double(texts), claims: claims
            )
        } catch {
            for daemon in daemons { print("shared-queue: \(daemon.logTail())") }
            await tearDown()
            throw error
        }
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}
