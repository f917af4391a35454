import CarrierSimulator
import Foundation
import HeraldCore
import HeraldTestSupport
import Logging
import PostgresNIO
import Testing

@testable import HeraldStore

/// Real heraldd processes on one PostgreSQL queue and the carrier simulator, with a producer
/// connection of the test's own: what an operator runs when several instances share a queue.
struct SharedQueueRig {
    /// Ten senders of one organization, `u0` … `u9`.
    static let senders = (0..<10).map { (user: "u\($0)", number: String(format: "+1612555%04d", 200 + $0)) }

    let directory: URL
    let simulator: RunningSimulator
    /// The database as `[database] url` names it.
    let url: String
    /// The test's own view of the queue, alone (no instance identity): it produces and counts.
    let producer: PostgresQueue
    let rate: Double
    let leaseTime: Double
    /// Each instance's webhook listener (reserved ports: a `public_url` is used only with a fixed
    /// port), and the one address every instance gives the carrier, as a load balancer's would be:
    /// the first instance's, which takes the callbacks of every instance's texts.
    let webhooks: [String: PortReservation]
    let publicInstance: String

    /// The configuration of instance `id`, in a folder of its own (its admin socket, its log).
    func writeConfig(instance id: String) throws -> (config: String, log: URL, socket: String) {
        let folder = directory.appendingPathComponent(id)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let tokenPath = directory.appendingPathComponent("token").path
        try simulator.authToken.write(toFile: tokenPath, atomically: true, encoding: .utf8)
        let users = Self.senders.map { sender in
            """
            [[orgs.users]]
            id = "\(sender.user)"
            name = "User \(sender.user)"
            number = "\(sender.number)"
            number_type = "long_code"
            rate = \(rate)
            """
        }.joined(separator: "\n")
        let socket = folder.appendingPathComponent("admin.sock").path
        let text = """
            [database]
            backend = "postgresql"
            url = "\(url)"
            [instance]
            id = "\(id)"
            lease_time = \(leaseTime)
            [admin]
            socket = "\(socket)"
            [webhooks]
            listen = "127.0.0.1:\(webhooks[id]!.port)"
            public_url = "http://127.0.0.1:\(webhooks[publicInstance]!.port)"
            [metrics]
            listen = "127.0.0.1:0"
            [carrier]
            base_url = "\(simulator.baseURL)"
            account_sid = "ACsimulator"
            auth_token_file = "\(tokenPath)"
            connect_timeout = 1.0
            request_timeout = 5.0
            max_in_flight = 64
            [retry]
            min_backoff = 0.2
            max_backoff = 1.0
            max_attempts = 20
            jitter = 0.1
            [dispatch]
            idle_wait = 0.2
            shutdown_grace = 3.0
            [log]
            level = "notice"
            [[orgs]]
            id = "acme"
            name = "Acme"
            timezone = "America/Chicago"
            window_start = "00:00"
            window_end = "23:59"
            \(users)

            """
        let config = folder.appendingPathComponent("herald.toml").path
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        return (config, folder.appendingPathComponent("heraldd.log"), socket)
    }

    func start(instance id: String) throws -> SpawnedProcess {
        let (config, log, _) = try writeConfig(instance: id)
        return try CrashRecoveryTests.startHeraldd(config: config, log: log)
    }

    func log(of id: String) -> String {
        String(decoding: (try? Data(contentsOf: directory.appendingPathComponent(id).appendingPathComponent("heraldd.log"))) ?? Data(),
               as: UTF8.self)
    }

    /// Waits until a heraldd has migrated the queue and written the configuration's senders.
    func waitForSchema() async throws {
        try await waitUntil("heraldd to migrate the queue and write its senders", timeout: .seconds(60)) {
            (try? await count("SELECT COUNT(*) FROM phone_number WHERE status = 'active'")) == Self.senders.count
        }
    }

    /// Recipients, opted in, in one statement.
    func optIn(_ numbers: [String]) async throws {
        let at = Date().millis
        try await producer.write { session in
            try await session.execute("""
                INSERT INTO consent_ledger (org_id, number, at, old_state, new_state, consent_type, changed_by)
                SELECT 'acme', number, \(at), 'unknown', 'opted_in', 'api', 'shared-queue-test' FROM unnest(\(numbers)::text[]) AS v(number)
                """)
        }
    }

    /// Outbox rows as a producer inserts them, from the ten senders in turn.
    func produce(_ recipients: ArraySlice<String>, offset: Int) async throws {
        let numbers = Array(recipients)
        try await producer.write { session in
            try await session.execute("""
                INSERT INTO outbox (org, sender, to_number, body)
                SELECT 'acme', 'u' || ((\(offset) + n - 1) % 10), to_number, 'shared queue text ' || (\(offset) + n - 1)
                FROM unnest(\(numbers)::text[]) WITH ORDINALITY AS v(to_number, n)
                """)
        }
    }

    func count(_ sql: String) async throws -> Int {
        try await producer.read { session in try await session.value(PostgresQuery(unsafeSQL: sql), as: Int.self) ?? 0 }
    }

    func strings(_ sql: String) async throws -> [String] {
        try await producer.read { session in try await session.values(PostgresQuery(unsafeSQL: sql), as: String.self) }
    }

    /// What the queue did with one sender's texts in each second after `start`, from the events:
    /// how many were held to a rate slot, claimed, and accepted. Shows why a sender stopped.
    func timeline(of number: String, from start: Date, seconds: Int) async throws -> String {
        let origin = start.millis
        return try await strings("""
            SELECT s || 's ' || string_agg(what || ' ' || n, ', ' ORDER BY what) FROM (
                SELECT (e.at - \(origin)) / 1000 AS s, e.to_state || COALESCE('/' || e.reason, '') AS what, COUNT(*) AS n
                FROM message_event e JOIN message m ON m.id = e.message_id
                WHERE m.from_number = '\(number)' AND e.at >= \(origin) AND e.at < \(origin + Int64(seconds) * 1000)
                    AND e.to_state IN ('scheduled', 'sending', 'sent')
                GROUP BY 1, 2
            ) AS per GROUP BY s ORDER BY s
            """).joined(separator: "; ")
    }

    /// 30,000 distinct recipients in three Minnesota area codes.
    static func recipients(_ count: Int) -> [String] {
        (0..<count).map { index in String(format: "+1%d556%04d", [612, 651, 763][index / 10_000 % 3], index % 10_000) }
    }

    /// Whether every sender kept to `rate` as the carrier saw it: a virtual-scheduling replay of the
    /// accept times per `From`, with the one-second burst heraldd's limiter allows, and `slack`
    /// seconds for the time a post takes to arrive. Returns the worst excess (seconds) per sender,
    /// and when (the accept time at which it was worst).
    static func rateExcess(_ accepted: [AcceptedMessage], rate: Double, burst: Double = 1, slack: Double) -> [String: (seconds: Double, at: Date)] {
        Dictionary(grouping: accepted, by: \.from).mapValues { rateExcess($0.map(\.acceptedAt), rate: rate, burst: burst, slack: slack) }
    }

    static func rateExcess(_ times: [Date], rate: Double, burst: Double = 1, slack: Double) -> (seconds: Double, at: Date) {
        var theoretical = -Double.infinity
        var worst = (seconds: -Double.infinity, at: Date.distantPast)
        for time in times.sorted() {
            theoretical = max(theoretical, time.timeIntervalSince1970) + Double(1) / rate
            let ahead = theoretical - time.timeIntervalSince1970 - burst - slack
            if ahead > worst.seconds { worst = (ahead, time) }
        }
        return worst
    }

    /// When heraldd claimed each of `number`'s texts for a post (its `sending` events).
    func claimTimes(of number: String) async throws -> [Date] {
        try await producer.read { session in
            try await session.values("""
                SELECT e.at FROM message_event e JOIN message m ON m.id = e.message_id
                WHERE m.from_number = \(number) AND e.to_state = 'sending'
                """, as: Int64.self)
        }.map(Date.init(millis:))
    }
}
