import CarrierSimulator
import Foundation
import GRDB
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// heraldd as a real process, killed with SIGKILL in the middle of a run and started again.
@Suite("Crash recovery", .serialized)
struct CrashRecoveryTests {
    /// The heraldd built beside this test bundle.
    /// The heraldd built beside the tests, or `HERALD_TEST_HERALDD` (a release build, for the
    /// shared-queue tests, whose instances must keep up with their senders' rates).
    static var heralddPath: String {
        if let given = ProcessInfo.processInfo.environment["HERALD_TEST_HERALDD"] { return given }
        let directory = Bundle.main.executableURL?.deletingLastPathComponent()
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return directory.appendingPathComponent("heraldd").path
    }

    /// - Parameter environment: variables to set on top of this process's, or to remove (nil).
    static func startHeraldd(config: String, log: URL, environment changes: [String: String?] = [:]) throws -> SpawnedProcess {
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: heralddPath)
        process.arguments = ["--config", config]
        if !changes.isEmpty {
            var environment = ProcessInfo.processInfo.environment
            for (name, value) in changes { environment[name] = value }
            process.environment = environment
        }
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        return process
    }

    /// The token and configuration files a heraldd process needs; returns (config, database, log) paths.
    /// - Parameter webhookPort: a reserved port, for a heraldd restarted on the same webhook URL.
    static func writeFiles(
        in directory: URL, simulator: RunningSimulator, webhookPort: Int? = nil, edit: (String) -> String = { $0 }
    ) throws -> (config: String, database: String, log: URL) {
        let tokenPath = directory.appendingPathComponent("token").path
        try simulator.authToken.write(toFile: tokenPath, atomically: true, encoding: .utf8)
        let databasePath = directory.appendingPathComponent("herald.db").path
        let configPath = directory.appendingPathComponent("herald.toml").path
        try edit(DaemonHarness.configText(
            databasePath: databasePath, webhookPort: webhookPort, carrierURL: simulator.baseURL, tokenPath: tokenPath
        )).write(toFile: configPath, atomically: true, encoding: .utf8)
        return (configPath, databasePath, directory.appendingPathComponent("heraldd.log"))
    }

    /// A producer connection, once the daemon has created the schema.
    static func producer(databasePath: String, log: URL) async throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let queue = try? DatabaseQueue(path: databasePath, configuration: configuration),
               // Migrated and the configuration's organizations written: rows may point at them.
               (try? await queue.read({ db in try db.tableExists("consent_ledger") && (Int.fetchOne(db, sql: "SELECT COUNT(*) FROM org") ?? 0) > 0 })) == true {
                return queue
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let output = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
        Issue.record("heraldd never created the schema; its log:\n\(output)")
        throw CancellationError()
    }

    @Test("SIGKILL mid-run, restart: nothing lost, nothing stuck in sending, no duplicate accepted")
    func killedAndRestarted() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.heralddPath), "heraldd not built at \(Self.heralddPath)")
        let directory = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let total = 3000
        // Callbacks for what the first run posted must reach the second.
        let webhookPort = try PortReservation()
        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(20))) { simulator in
            // Slow the carrier down so the kill lands with posts in flight.
            simulator.setLatency(.milliseconds(40))
            let (configPath, databasePath, log) = try Self.writeFiles(in: directory, simulator: simulator, webhookPort: webhookPort.port)

            var heraldd = try Self.startHeraldd(config: configPath, log: log)
            let queue = try await Self.producer(databasePath: databasePath, log: log)
            try DaemonHarness.optIn((0..<total).map { (DaemonHarness.org, String(format: "+1612556%04d", $0)) }, in: queue)
            try await queue.write { db in
                for i in 0..<total {
                    try db.execute(sql: "INSERT INTO outbox (org, sender, to_number, body) VALUES (?, ?, ?, ?)",
                                   arguments: [DaemonHarness.org, i.isMultiple(of: 2) ? "alice" : "bob", String(format: "+1612556%04d", i), "crash test \(i)"])
                }
            }
            func count(_ condition: String) async throws -> Int {
                try await queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE \(condition)") ?? 0 }
            }
            // Kill once a good part is sent but much is still to go, with posts in flight. heraldd
            // is stopped while the test looks, so the kill lands on exactly what was seen.
            try await waitUntil("\(total / 5) sent", timeout: .seconds(120)) { try await count("state IN ('sent', 'delivered')") >= total / 5 }
            try await waitUntil("a moment with posts in flight", timeout: .seconds(120)) {
                try await ChildProcess.freeze(heraldd.processIdentifier)
                if try await count("state = 'sending'") > 0 { return true }
                ChildProcess.thaw(heraldd.processIdentifier)
                return false
            }
            kill(heraldd.processIdentifier, SIGKILL)
            heraldd.waitUntilExit()
            let inFlightAtKill = try await count("state = 'sending'")
            // Nothing lost: every row is a message, or still in the outbox if ingest had not
            // reached it (sending can outpace a 3,000-row ingest).
            let waitingInOutbox = try await queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0 }
            #expect(try await count("1") + waitingInOutbox == total)

            heraldd = try Self.startHeraldd(config: configPath, log: log)
            let restarted = heraldd
            defer { if restarted.isRunning { kill(restarted.processIdentifier, SIGKILL) } }
            #expect(try await eventually(timeout: .seconds(120)) { try await count("state = 'delivered'") == total })
            #expect(try await count("state = 'delivered'") == total)
            #expect(try await count("state = 'sending'") == 0)
            let accepted = await simulator.messages()
            #expect(accepted.count == total)
            #expect(Set(accepted.compactMap(\.idempotencyKey)).count == total)
            // Messages caught in flight were reconciled, and their re-posts carried the same key.
            let reconciled = try await queue.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT message_id) FROM message_events WHERE detail LIKE 'unknown outcome: found sending at start%'") ?? 0
            }
            #expect(reconciled == inFlightAtKill)
            #expect(inFlightAtKill > 0, "the kill should land with posts in flight")
            restarted.terminate()
            try await ChildProcess.waitForExit(restarted)
        }
    }

    @Test("SIGTERM: stop claiming, finish in-flight posts within the grace period, exit 0")
    func sigtermDrains() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.heralddPath), "heraldd not built at \(Self.heralddPath)")
        let directory = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(20))) { simulator in
            // Every post takes a second, so the signal lands with posts in flight.
            simulator.setLatency(.seconds(1))
            // 8 posts in flight at most: the rest of the 200 must stay queued after SIGTERM. A grace
            // period well beyond a post's second, so a loaded machine still finishes them in it.
            let (configPath, databasePath, log) = try Self.writeFiles(in: directory, simulator: simulator) {
                $0.replacingOccurrences(of: "max_in_flight = 64", with: "max_in_flight = 8")
                    .replacingOccurrences(of: "shutdown_grace = 3.0", with: "shutdown_grace = 30.0")
            }
            let heraldd = try Self.startHeraldd(config: configPath, log: log)
            defer { if heraldd.isRunning { kill(heraldd.processIdentifier, SIGKILL) } }
            let producer = try await Self.producer(databasePath: databasePath, log: log)
            try DaemonHarness.optIn((0..<200).map { (DaemonHarness.org, String(format: "+1612557%04d", $0)) }, in: producer)
            try await producer.write { db in
                for i in 0..<200 {
                    try db.execute(sql: "INSERT INTO outbox (org, sender, to_number, body) VALUES (?, 'alice', ?, 'drain test')",
                                   arguments: [DaemonHarness.org, String(format: "+1612557%04d", i)])
                }
            }
            func count(_ condition: String) async throws -> Int {
                try await producer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE \(condition)") ?? 0 }
            }
            // Stopped while the test counts, then signalled before it goes on: the count is what
            // is in flight when SIGTERM arrives.
            try await waitUntil("posts in flight", timeout: .seconds(120)) {
                try await ChildProcess.freeze(heraldd.processIdentifier)
                if try await count("state = 'sending'") > 0 { return true }
                ChildProcess.thaw(heraldd.processIdentifier)
                return false
            }
            let sendingAtSignal = try await count("state = 'sending'")
            kill(heraldd.processIdentifier, SIGTERM)
            ChildProcess.thaw(heraldd.processIdentifier)
            try await ChildProcess.waitForExit(heraldd, timeout: .seconds(90))
            #expect(heraldd.terminationStatus == 0)
            #expect(try await count("state = 'sending'") == 0)
            // The posts in flight finished and were recorded; nothing new was claimed after the signal.
            let posted = try await count("state IN ('sent', 'delivered')")
            #expect(posted >= sendingAtSignal)
            #expect(posted <= sendingAtSignal + 8)
            #expect(try await count("state = 'queued'") == 200 - posted)
            #expect(await simulator.stats().accepted == posted)
        }
    }

    @Test("SIGTERM with a post hung past the grace period: the transfer is aborted, heraldd exits long before request_timeout, and the post is an unknown outcome")
    func sigtermAbortsHungPosts() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.heralddPath), "heraldd not built at \(Self.heralddPath)")
        let directory = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(20))) { simulator in
            // The carrier holds the post for two minutes; heraldd would wait 120 s for it, but gives it 1 s.
            simulator.hangNext(1, for: .seconds(120))
            let (configPath, databasePath, log) = try Self.writeFiles(in: directory, simulator: simulator) {
                $0.replacingOccurrences(of: "request_timeout = 5.0", with: "request_timeout = 120.0")
                    .replacingOccurrences(of: "shutdown_grace = 3.0", with: "shutdown_grace = 1.0")
            }
            let heraldd = try Self.startHeraldd(config: configPath, log: log)
            defer { if heraldd.isRunning { kill(heraldd.processIdentifier, SIGKILL) } }
            let producer = try await Self.producer(databasePath: databasePath, log: log)
            try DaemonHarness.optIn([(DaemonHarness.org, "+16125557999")], in: producer)
            try await producer.write { db in
                try db.execute(sql: "INSERT INTO outbox (org, sender, to_number, body) VALUES (?, 'alice', '+16125557999', 'hung post')",
                               arguments: [DaemonHarness.org])
            }
            try await waitUntil("the carrier to be holding the post", timeout: .seconds(60)) { simulator.stats().requests >= 1 }
            let signalled = ContinuousClock.now
            kill(heraldd.processIdentifier, SIGTERM)
            try await ChildProcess.waitForExit(heraldd, timeout: .seconds(100))
            let took = ContinuousClock.now - signalled
            #expect(heraldd.terminationStatus == 0)
            // Bounded by the grace period plus the shutdown's own work, far from the 120 s the post would take.
            #expect(took < .seconds(60), "the stop took \(took)")
            let row: Row? = try await producer.read { db in
                try Row.fetchOne(db, sql: "SELECT state, held_reason FROM messages ORDER BY id DESC LIMIT 1")
            }
            #expect(row?["state"] as String? == "scheduled")
            #expect(row?["held_reason"] as String? == HeldReason.outcomeLookup.rawValue, "aborted after it was sent: asked before any re-post")
            let logText = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
            #expect(logText.contains("aborting 1 posts in flight"), "\(logText)")
        }
    }
}
