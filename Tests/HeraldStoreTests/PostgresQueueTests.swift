import Foundation
import GRDB
import HeraldCore
import HeraldTestSupport
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import HeraldStore

/// What only the PostgreSQL store has to show: several claimers at once, the outbox's NOTIFY,
/// the producer contract's views as SQLite has them, and a schema history that cannot drift.
@Suite("Store: PostgreSQL")
struct PostgresQueueTests {
    @Test("claims running at once take every due message exactly once (FOR UPDATE SKIP LOCKED)")
    func concurrentClaimsNeverShareAMessage() async throws {
        let fixture = try await StoreFixture(.postgresql)
        var ids: Set<Int64> = []
        for index in 0..<120 {
            let number = "+1612555\(String(format: "%04d", 7000 + index))"
            try await fixture.optIn(number)
            ids.insert(try await fixture.produce(to: number, body: "text \(index)"))
        }
        try await fixture.ingest()
        // Four claimers, each in its own transaction on its own connection, 7 at a time until none is left.
        let claims = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var mine: [Int64] = []
                    while true {
                        let batch = try await fixture.db.claimDue(now: fixture.now, limit: 7) { _ in .send }.claimed
                        if batch.isEmpty { return mine }
                        mine += batch.map(\.id)
                    }
                }
            }
            return try await group.reduce(into: [[Int64]]()) { $0.append($1) }
        }
        let all = claims.flatMap { $0 }
        #expect(all.count == ids.count, "claimed \(all.count) for \(ids.count) messages")
        #expect(Set(all) == ids)
        #expect(try await fixture.count("SELECT COUNT(*) FROM message_event WHERE to_state = 'sending'") == ids.count)
    }

    @Test("a producer's INSERT wakes the ingester through NOTIFY, without waiting for the sweep")
    func anInsertWakesTheListener() async throws {
        let fixture = try await StoreFixture(.postgresql)
        // A sweep an hour apart: only the notification can wake it within the test's deadline.
        let arrivals = fixture.postgresQueue.outboxArrivals(sweep: .seconds(3_600))
        let woken = Atomic<Int>(0)
        let listener = Task {
            for try await _ in arrivals { woken.add(1, ordering: .relaxed) }
        }
        defer { listener.cancel() }
        // The first wake-up says the listener is in place (rows may have come before it was).
        try await waitUntil("the listener to start", timeout: .seconds(30)) { woken.load(ordering: .relaxed) >= 1 }
        let id = try await fixture.produce()
        try await waitUntil("a wake-up after an outbox INSERT", timeout: .seconds(30)) { woken.load(ordering: .relaxed) >= 2 }
        #expect(try await fixture.db.outboxHasRows())
        try await fixture.ingest()
        #expect(try await fixture.state(id) == .queued)
    }

    @Test("the outbox listener holds no pooled connection, so callers go on while it listens and after it stops",
          .timeLimit(.minutes(2)))
    func theListenerStaysOutOfThePool() async throws {
        let fixture = try await StoreFixture(.postgresql)
        // A pool of one: a listener holding it would starve every caller, and one closing it to
        // stop would hand the next caller a closing connection (a clean stop's lease hand-back
        // failed with clientClosedConnection so, CI 2026-12-04).
        var logger = Logger(label: "herald.tests.postgres.listener")
        logger.logLevel = .error
        let queue = PostgresQueue(endpoint: try PostgresTestDatabases.endpoint(fixture.postgresDatabaseName),
                                  maximumConnections: 1, logger: logger)
        let pool = Task { await queue.run() }
        defer { pool.cancel() }
        for round in 1...5 {
            let woken = Atomic<Int>(0)
            let arrivals = queue.outboxArrivals(sweep: .seconds(3_600))
            let listener = Task {
                for try await _ in arrivals { woken.add(1, ordering: .relaxed) }
            }
            defer { listener.cancel() }
            try await waitUntil("the listener to start (round \(round))", timeout: .seconds(30)) { woken.load(ordering: .relaxed) >= 1 }
            let answered = Atomic<Bool>(false)
            let during = Task {
                _ = try await queue.outboxHasRows()
                answered.store(true, ordering: .relaxed)
            }
            defer { during.cancel() }
            try await waitUntil("a call while the listener listens (round \(round))", timeout: .seconds(30)) {
                answered.load(ordering: .relaxed)
            }
            let after = Task { try await queue.outboxHasRows() }
            listener.cancel()
            await #expect(throws: Never.self, "round \(round): the call right after the listener stopped got a working connection") {
                _ = try await after.value
            }
        }
    }

    @Test("a stopped queue leaves no session on the server: a claim after it fails instead of opening a connection nothing closes",
          .timeLimit(.minutes(2)))
    func aStoppedQueueLeavesNoSession() async throws {
        // A database only this queue connects to, so every session on it is this queue's.
        let database = try await PostgresTestDatabases.create()
        defer { PostgresTestDatabases.release(database) }
        var logger = Logger(label: "herald.tests.postgres.stop")
        logger.logLevel = .critical
        let queue = PostgresQueue(endpoint: try PostgresTestDatabases.endpoint(database), maximumConnections: 2, logger: logger)
        let pool = Task { await queue.run() }
        await queue.untilRunning()
        // Claims run on a connection of their own, outside the pool: this opens it.
        _ = try await queue.claimDue(now: Date(), limit: 10) { _ in .send }
        pool.cancel()
        await pool.value
        // At shutdown a claim may be opening that connection as the queue closes its own: one
        // kept then would stay open on the server until the process exits.
        await #expect(throws: StoreError.self, "a claim after the queue stopped") {
            _ = try await queue.claimDue(now: Date(), limit: 10) { _ in .send }
        }
        let cluster = try PostgresCluster.shared()
        let admin = try await PostgresConnection.connect(
            configuration: .init(unixSocketPath: cluster.socketPath, username: cluster.user, password: nil, database: "postgres"),
            id: 1, logger: logger
        )
        defer { Task { try? await admin.close() } }
        var sessions = -1
        try await waitUntil("the stopped queue's sessions to end (\(sessions) still open)", timeout: .seconds(30)) {
            sessions = try await admin.query("SELECT count(*)::int FROM pg_stat_activity WHERE datname = \(database)", logger: logger)
                .collect().first?.decode(Int.self) ?? -1
            return sessions == 0
        }
    }

    @Test("the public views have SQLite's columns, in SQLite's order")
    func viewsMatchSQLite() async throws {
        let sqlite = try await StoreFixture(.sqlite, seed: false)
        let postgres = try await StoreFixture(.postgresql, seed: false)
        let views = ["messages", "message_events", "inbound_messages", "message_parts", "consents", "consent_history", "contacts",
                     "admin_changes", "credit_allocations", "broadcasts", "contact_groups", "reply_forwards"]
        for view in views {
            let expected = try await sqlite.sqlite.pool.read { db in try db.columns(in: view).map(\.name) }
            let actual = try await postgres.rows(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", [view]
            ).map { $0["column_name"] as String }
            #expect(actual == expected, "view \(view)")
        }
        let outbox = try await sqlite.sqlite.pool.read { db in try db.columns(in: "outbox").map(\.name) }.sorted()
        let postgresOutbox = try await postgres.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'outbox'").map { $0["column_name"] as String }.sorted()
        #expect(postgresOutbox == outbox, "the producer contract: the same outbox columns")
    }

    @Test("a view shows what SQLite's shows: ISO 8601 instants with milliseconds, display statuses")
    func viewValuesMatchSQLite() async throws {
        var shown: [String] = []
        for backend in Backend.allCases {
            let fixture = try await StoreFixture(backend)
            let id = try await fixture.produce(sendAt: "2027-01-15T09:30:00.25Z", expiresAt: "1800086400")
            try await fixture.ingest()
            let row = try #require(try await fixture.row(
                "SELECT state, display_status, held_reason, not_before, expires_at, created_at, body_purged_at FROM messages WHERE id = ?", [id]))
            shown.append(["state", "display_status", "held_reason", "not_before", "expires_at", "created_at", "body_purged_at"]
                .map { "\($0)=\(row[$0] as String? ?? "NULL")" }.joined(separator: " "))
        }
        #expect(shown[0] == "state=scheduled display_status=in queue held_reason=send_at not_before=2027-01-15T09:30:00.250Z "
            + "expires_at=2027-01-16T08:00:00.000Z created_at=2027-01-15T08:00:00.000Z body_purged_at=NULL")
        #expect(shown[1] == shown[0])
    }

    @Test("a database whose recorded schema step differs from the shipped one, or that ran an unknown step, is refused")
    func migrationsCannotDrift() async throws {
        let temporary = try await TemporaryPostgresQueue()
        let queue = temporary.queue
        // Migrating again is a no-op.
        try await queue.migrate()
        try await queue.connect { session in
            try await session.execute("UPDATE herald_migration SET md5 = 'edited' WHERE identifier = 'p2 views'")
        }
        await #expect {
            try await queue.migrate()
        } throws: { error in
            guard case let StoreError.migrationFailed(_, reason) = error else { return false }
            return reason.contains("p2 views") && reason.contains("a released step was edited")
        }
        try await queue.connect { session in
            try await session.execute("""
                UPDATE herald_migration SET md5 = md5(\(PostgresMigrations.p2Views)) WHERE identifier = 'p2 views'
                """)
            try await session.execute("INSERT INTO herald_migration (identifier, position, md5) VALUES ('p99 future', 99, 'x')")
        }
        await #expect(throws: StoreError.self) { try await queue.migrate() }
        do {
            try await queue.migrate()
        } catch let StoreError.newerSchema(_, unknown) {
            #expect(unknown == ["p99 future"])
        }
    }

    @Test("a reply delivered twice at once (two instances behind a load balancer) is stored once, and its STOP recorded once")
    func concurrentRedeliveryIsStoredOnce() async throws {
        let fixture = try await StoreFixture(.postgresql)
        let directory = try await fixture.db.loadDirectory()
        let report = InboundReport(from: StoreFixture.contact, to: StoreFixture.alice, body: "STOP", sid: "SMtwice")
        let stored = try await withThrowingTaskGroup(of: StoredInbound.self) { group in
            for _ in 0..<4 { group.addTask { try await fixture.db.receive(report, now: fixture.now, directory: directory) } }
            return try await group.reduce(into: [StoredInbound]()) { $0.append($1) }
        }
        #expect(stored.filter(\.isNew).count == 1)
        #expect(Set(stored.map(\.id)).count == 1)
        #expect(try await fixture.count("SELECT COUNT(*) FROM inbound_message") == 1)
        #expect(try await fixture.count("SELECT COUNT(*) FROM consent_ledger WHERE new_state = 'opted_out'") == 1)
        #expect(try await fixture.db.consent(org: "acme", number: StoreFixture.contact) == .optedOut)
    }

    @Test("the ledger refuses UPDATE and DELETE, as in SQLite")
    func ledgerIsAppendOnly() async throws {
        let fixture = try await StoreFixture(.postgresql)
        await #expect(throws: (any Error).self) { try await fixture.execute("UPDATE consent_ledger SET new_state = 'opted_out'") }
        await #expect(throws: (any Error).self) { try await fixture.execute("DELETE FROM consent_ledger") }
        #expect(try await fixture.db.consent(org: "acme", number: StoreFixture.contact) == .optedIn)
    }
}

/// Claims are served by the partial indexes `message_paced` and `message_due`, whatever else the queue holds.
@Suite("Store: PostgreSQL claim plan")
struct PostgresClaimPlanTests {
    @Test("the claim's SELECTs walk message_paced, then message_due, and lock with SKIP LOCKED, alone or limited to leased senders",
          arguments: [ClaimScope(everything: true, senders: [], strays: false),
                      ClaimScope(everything: false, senders: ["+16125550100"], strays: true)])
    func claimUsesTheDueIndex(scope: ClaimScope) async throws {
        let fixture = try await StoreFixture(.postgresql)
        for _ in 0..<20 { try await fixture.produce(kind: "bulk") }
        try await fixture.ingest()
        // Half held back to their rate slot, so that the statistics know of both kinds.
        _ = try await fixture.db.claimDue(now: fixture.now, limit: 10) { _ in .hold(until: fixture.now, reason: .senderRate) }
        for (paced, index) in [(true, "message_paced"), (false, "message_due")] {
            let query = PostgresQueue.dueQuery(priority: MessageKind.bulk.priority, paced: paced, at: fixture.now.millis, limit: 10, scope: scope)
            let plan = try await fixture.postgresQueue.connect { session in
                try await session.execute("ANALYZE message")
                // A table this small is cheapest to scan whole; what matters is that the index can serve the claim.
                try await session.execute("SET enable_seqscan = off")
                return try await session.values(PostgresQuery(unsafeSQL: "EXPLAIN " + query.sql, binds: query.binds), as: String.self)
            }
            let text = plan.joined(separator: "\n")
            #expect(text.contains(index), "\(text)")
            #expect(text.contains("LockRows"), "\(text)")
            #expect(!text.contains("Seq Scan on message "), "\(text)")
        }
    }
}

/// Start-up and `--check-config` must say at once when the server cannot be reached.
@Suite("Store: PostgreSQL reachability")
struct PostgresReachabilityTests {
    @Test("the cluster answers with its version; a socket nobody listens on is a cannotConnect naming the server")
    func checkConnection() async throws {
        let temporary = try await TemporaryPostgresQueue()
        #expect(try await temporary.queue.checkConnection().hasPrefix("PostgreSQL 15"))

        let folder = try StoreFixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let nowhere = PostgresQueue(endpoint: PostgresEndpoint(address: .socket(folder: folder.path, port: 5432), user: "herald",
                                                               password: "secret", database: "herald", tls: .disable))
        let started = ContinuousClock.now
        do {
            _ = try await nowhere.checkConnection(timeout: .seconds(5))
            Issue.record("a socket nobody listens on was reached")
        } catch let StoreError.cannotConnect(server, reason) {
            #expect(server == "postgresql://herald@\(folder.path.replacingOccurrences(of: "/", with: "%2F")):5432/herald")
            #expect(!reason.isEmpty)
            let message = StoreError.cannotConnect(server: server, reason: reason).description
            #expect(!message.contains("secret"), "the password never appears")
            #expect(message.contains("Check [database] url"))
        }
        #expect(ContinuousClock.now - started < .seconds(30), "refused at once, not retried")
    }
}

/// The journal must carry the server's own words: PSQLError's description hides them.
@Suite("Store: PostgreSQL errors")
struct PostgresErrorTests {
    @Test("a refused statement is a statementFailed with the server's message and SQLSTATE; the queue goes on")
    func statementFailed() async throws {
        let temporary = try await TemporaryPostgresQueue()
        do {
            try await temporary.queue.write { session in try await session.execute("SELECT * FROM no_such_table") }
            Issue.record("a statement on a missing table succeeded")
        } catch let error as StoreError {
            let message = error.description
            #expect(message.contains("relation \"no_such_table\" does not exist"), "\(message)")
            #expect(message.contains("SQLSTATE 42P01"), "\(message)")
            #expect(!message.contains("Generic description"), "\(message)")
        }
        #expect(try await temporary.queue.read { session in try await session.value("SELECT 1", as: Int.self) } == 1)
    }
}

/// A server that stops and starts again (a restart, a failover) must not strand a store call:
/// each one made meanwhile ends, with an answer or an error, and the queue works again after.
@Suite("Store: PostgreSQL server restart")
struct PostgresRestartTests {
    @Test("calls made while the server stops and starts all end, and the queue answers again afterwards")
    func callsEndAcrossARestart() async throws {
        let cluster = try PostgresCluster.dedicated()
        var logger = Logger(label: "herald.tests.postgres.restart")
        logger.logLevel = .critical
        let queue = PostgresQueue(
            endpoint: PostgresEndpoint(address: .socket(folder: cluster.folder, port: cluster.port), user: cluster.user,
                                       database: "postgres", tls: .disable),
            maximumConnections: 8, logger: logger
        )
        let pool = Task { await queue.run() }
        defer { pool.cancel() }
        try await queue.migrate()
        final class Tally: Sendable {
            let counts = Mutex((answered: 0, failed: 0, finished: 0))
            let stop = Mutex(false)
        }
        let tally = Tally()
        // Eight callers in a loop, as heraldd's services are, while the server goes away and back.
        // Tasks of their own, not a group: a stranded call must fail the test, not hang it.
        for _ in 0..<8 {
            Task {
                while !tally.stop.withLock({ $0 }) {
                    do {
                        _ = try await queue.write { session in try await session.value("SELECT count(*) FROM message", as: Int.self) }
                        tally.counts.withLock { $0.answered += 1 }
                    } catch {
                        tally.counts.withLock { $0.failed += 1 }
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                }
                tally.counts.withLock { $0.finished += 1 }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        try cluster.stopServer()
        try await Task.sleep(for: .seconds(2))
        try cluster.startServer()
        let before = tally.counts.withLock { $0.answered }
        try await waitUntil("the callers to be answered again after the restart", timeout: .seconds(60)) {
            tally.counts.withLock { $0.answered } > before + 50
        }
        tally.stop.withLock { $0 = true }
        // Every caller's last call ends: none is stranded waiting for a connection.
        try await waitUntil("every caller to finish its last call (\(tally.counts.withLock { $0 }))", timeout: .seconds(60)) {
            tally.counts.withLock { $0.finished } == 8
        }
        #expect(tally.counts.withLock { $0.failed } > 0, "the restart failed no call: it did not happen while they ran")
    }
}
