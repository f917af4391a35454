import CarrierSimulator
import Foundation
import GRDB
import HeraldConfig
import HeraldCore
import HeraldDaemon
import HeraldStore
import HeraldTestSupport
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
    /// The daemon's webhook base URL, on the port the system gave its listener.
    var webhookURL: String { daemon.webhookURL ?? "webhook listener not bound" }

    static let org = "acme"
    static let alice = "+16125550100"
    static let bob = "+16125550101"

    /// Configuration text for a test daemon; `extra` lands at the end of the file, `carrier` in `[carrier]`.
    /// The webhook listener binds a port the system picks and tells the carrier that one, unless
    /// `webhookPort` (a ``PortReservation``'s, for a daemon restarted on the same URL) is given.
    static func configText(
        databasePath: String, webhookPort: Int? = nil, carrierURL: String, tokenPath: String, extra: String = "", carrier: String = "",
        admin: String = ""
    ) -> String {
        let webhooks = webhookPort.map { "listen = \"127.0.0.1:\($0)\"\npublic_url = \"http://127.0.0.1:\($0)\"" } ?? "listen = \"127.0.0.1:0\""
        return """
        [database]
        path = "\(databasePath)"
        [admin]
        socket = "\((databasePath as NSString).deletingLastPathComponent)/admin.sock"
        \(admin)
        [webhooks]
        \(webhooks)
        [metrics]
        listen = "127.0.0.1:0"
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
        return try await CarrierSimulator.withRunning(simulatorConfiguration) { simulator in
            let tokenPath = directory.appendingPathComponent("token").path
            try simulator.authToken.write(toFile: tokenPath, atomically: true, encoding: .utf8)
            let text = configText(
                databasePath: directory.appendingPathComponent("herald.db").path,
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
                    // Finished on every way out: a daemon that fails to start must not leave the
                    // harness waiting for it forever.
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
                // Replies go to the port the listener got, known only now.
                simulator.setInboundURL(harness.webhookURL + "/webhooks/inbound")
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
        try await HeraldTestSupport.eventually(timeout: timeout, interval: .milliseconds(25)) { try condition() }
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

/// heraldd stopped before it was ready, with what it said.
struct DaemonDidNotStart: Error {
    var reason: String
}
