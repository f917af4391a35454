import CarrierSimulator
import Foundation
import GRDB
import HeraldConfig
import HeraldCore
import HeraldDaemon
import HeraldStore
import Logging
import Testing

/// A real heraldd (in-process) against the real carrier simulator on loopback, with a real SQLite
/// file in a temp folder and a producer connection of its own, as an application would have.
struct DaemonHarness {
    let directory: URL
    let configuration: HeraldConfiguration
    let simulator: RunningSimulator
    let producer: DatabaseQueue
    let daemon: Daemon

    var database: any QueueStore { daemon.database }
    var adminSocket: String { configuration.admin.socket }

    static let org = "acme"
    static let alice = "+16125550100"
    static let bob = "+16125550101"

    /// Configuration text for a test daemon; `extra` lands at the end of the file, `carrier` in `[carrier]`.
    static func configText(
        databasePath: String, webhookPort: Int, carrierURL: String, tokenPath: String, extra: String = "", carrier: String = "",
        admin: String = ""
    ) -> String {
        """
        [database]
        path = "\(databasePath)"
        [admin]
        socket = "\((databasePath as NSString).deletingLastPathComponent)/admin.sock"
        \(admin)
        [webhooks]
        listen = "127.0.0.1:\(webhookPort)"
        public_url = "http://127.0.0.1:\(webhookPort)"
        [carrier]
        base_url = "\(carrierURL)"
        account_sid = "ACsimulator"
        auth_token_file = "\(tokenPath)"
        connect_timeout = 1.0
        request_timeout = 5.0
        max_in_flight = 64
        lookup_delay = 0.5
        \(carrier)
        [retry]
        min_backoff = 0.2
        max_backoff = 1.0
        max_attempts = 6
        jitter = 0.1
        [dispatch]
        idle_wait = 0.2
        shutdown_grace = 3.0
        [log]
        level = "warning"
        [[orgs]]
        id = "\(org)"
        name = "Acme"
        timezone = "America/Chicago"
        window_start = "00:00"
        window_end = "23:59"
        [[orgs.users]]
        id = "alice"
        name = "Alice"
        number = "\(alice)"
        number_type = "long_code"
        rate = 5000.0
        [[orgs.users]]
        id = "bob"
        name = "Bob"
        number = "\(bob)"
        number_type = "long_code"
        rate = 5000.0
        \(extra)
        """
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("herald-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `body` with a simulator and a daemon both up; stops both afterwards.
    static func withDaemon<T: Sendable>(
        simulator simulatorConfiguration: SimulatorConfiguration = SimulatorConfiguration(callbackDelay: .milliseconds(20)),
        extraConfig: String = "",
        carrierConfig: String = "",
        adminConfig: String = "",
        clock: any WallClock = SystemWallClock(),
        reusing folder: URL? = nil,
        logger givenLogger: Logger? = nil,
        _ body: (DaemonHarness) async throws -> T
    ) async throws -> T {
        // A folder the caller passes outlives this daemon, so a second one can restart on its database.
        let directory = try folder ?? temporaryDirectory()
        defer { if folder == nil { try? FileManager.default.removeItem(at: directory) } }
        // A free port can be taken by another test's connection before the daemon binds it: then
        // the daemon fails to start and the harness tries once more on another port.
        for attempt in 1...3 {
            do {
                let webhookPort = try FreePort.find()
                var simulatorConfiguration = simulatorConfiguration
                simulatorConfiguration.inboundURL = "http://127.0.0.1:\(webhookPort)/webhooks/inbound"
                return try await CarrierSimulator.withRunning(simulatorConfiguration) { simulator in
                    let tokenPath = directory.appendingPathComponent("token").path
                    try simulator.authToken.write(toFile: tokenPath, atomically: true, encoding: .utf8)
                    let text = configText(
                        databasePath: directory.appendingPathComponent("herald.db").path, webhookPort: webhookPort,
                        carrierURL: simulator.baseURL, tokenPath: tokenPath, extra: extraConfig, carrier: carrierConfig,
                        admin: adminConfig
                    )
                    let configuration = try HeraldConfiguration.parse(toml: text, baseDirectory: directory.path)
                    var logger = givenLogger ?? Logger(label: "heraldd-test")
                    if givenLogger == nil { logger.logLevel = .warning }
                    let daemon = try Daemon(configuration: configuration, authToken: simulator.authToken, clock: clock, logger: logger)
                    // Producers share the file with the daemon's writer: like any SQLite client they wait
                    // for the lock (busy_timeout) instead of failing at once.
                    var producerConfiguration = Configuration()
                    producerConfiguration.busyMode = .timeout(10)
                    let producer = try DatabaseQueue(path: configuration.database.path, configuration: producerConfiguration)
                    let harness = DaemonHarness(
                        directory: directory, configuration: configuration, simulator: simulator, producer: producer, daemon: daemon
                    )
                    return try await withThrowingTaskGroup(of: Void.self) { group in
                        let (ready, readyContinuation) = AsyncStream.makeStream(of: Bool.self)
                        group.addTask {
                            // Finished on every way out: a daemon that fails to start (a port taken by a
                            // parallel test, say) must not leave the harness waiting for it forever.
                            defer { readyContinuation.finish() }
                            try await daemon.run(gracefulShutdownSignals: [], onReady: { readyContinuation.yield(true) })
                        }
                        var started = false
                        for await _ in ready {
                            started = true
                            break
                        }
                        if !started {
                            // run() returned or threw before it was ready.
                            do { try await group.next() } catch { throw DaemonDidNotStart(reason: "\(error)") }
                            throw DaemonDidNotStart(reason: "run() returned before it was ready")
                        }
                        // Stopped gracefully, as SIGTERM would, whether the body returns or throws.
                        let result: T
                        do {
                            result = try await body(harness)
                        } catch {
                            await daemon.stop()
                            try? await group.waitForAll()
                            throw error
                        }
                        await daemon.stop()
                        try? await group.waitForAll()
                        return result
                    }
                }
            } catch let failure as DaemonDidNotStart where attempt < 3 {
                print("heraldd did not start (\(failure.reason)); trying another port")
            }
        }
        throw DaemonDidNotStart(reason: "no attempt left")
    }

    /// Inserts outbox rows the way a producer would, in one transaction.
    /// - Parameter optIn: first records every recipient as opted in, as most tests of delivery
    ///   want; consent tests pass false and record consent the way the product does.
    @discardableResult
    func insert(_ rows: [OutboxRow], optIn: Bool = true) throws -> [Int64] {
        if optIn { try self.optIn(rows.compactMap { row in row.to.map { (row.org ?? Self.org, $0) } }) }
        return try producer.write { db in
            try rows.map { row in
                try db.execute(sql: """
                    INSERT INTO outbox (org, sender, to_number, body, kind, send_at, expires_at, external_ref, idempotency_key)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [row.org, row.sender, row.to, row.body, row.kind, row.sendAt, row.expiresAt, row.externalRef, row.idempotencyKey])
                return db.lastInsertedRowID
            }
        }
    }

    /// Records consent for (org, number) pairs as an earlier import would have: a ledger row each,
    /// written straight to the file (the ledger's trigger keeps `consent` in step).
    func optIn(_ pairs: [(org: String, number: String)]) throws {
        try Self.optIn(pairs, in: producer)
    }

    static func optIn(_ pairs: [(org: String, number: String)], in writer: some DatabaseWriter) throws {
        let numbers = Set(pairs.compactMap { pair in (try? PhoneNumber.parse(pair.number).get()).map { "\(pair.org)\u{1F}\($0.e164)" } })
        guard !numbers.isEmpty else { return }
        // The instant comes from here: unixepoch('subsec') needs SQLite 3.42, Debian 12 has 3.40.
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        try writer.write { db in
            for key in numbers {
                let parts = key.split(separator: "\u{1F}").map(String.init)
                try db.execute(sql: """
                    INSERT INTO consent_ledger (org_id, number, at, old_state, new_state, consent_type, changed_by)
                    SELECT ?1, ?2, ?3, 'unknown', 'opted_in', 'api', 'test-harness'
                    WHERE NOT EXISTS (SELECT 1 FROM consent WHERE org_id = ?1 AND number = ?2 AND state = 'opted_in')
                    """, arguments: [parts[0], parts[1], now])
            }
        }
    }

    func state(of id: Int64) throws -> String? {
        try producer.read { db in try String.fetchOne(db, sql: "SELECT state FROM messages WHERE id = ?", arguments: [id]) }
    }

    func count(where condition: String) throws -> Int {
        try producer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE \(condition)") ?? 0 }
    }

    /// Polls until `condition` holds or `timeout` passes; returns whether it held.
    func eventually(timeout: Duration = .seconds(30), _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return try condition()
    }
}

struct OutboxRow: Sendable {
    var org: String? = DaemonHarness.org
    var sender: String? = "alice"
    var to: String?
    var body: String?
    var kind: String? = nil
    var sendAt: String? = nil
    var expiresAt: String? = nil
    var externalRef: String? = nil
    var idempotencyKey: String? = nil
}

enum FreePort {
    /// Binds port 0 on loopback, reads the port the kernel chose and releases it.
    static func find() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// heraldd stopped before it was ready, with what it said.
struct DaemonDidNotStart: Error {
    var reason: String
}
