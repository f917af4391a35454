import Foundation
import GRDB
import HeraldCarrier
import HeraldConfig
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

@testable import HeraldDaemon

@Suite("Retention service")
struct RetentionServiceTests {
    static let day: TimeInterval = 86_400
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// `count` outbox rows for an org nobody configured: each ends `rejected` (final) at `at`.
    static func rejected(_ database: QueueDatabase, count: Int, at: Date) async throws {
        try await database.pool.write { db in
            for index in 0..<count {
                try db.execute(sql: "INSERT INTO outbox (org, sender, to_number, body) VALUES ('nobody', 'x', '+16125550123', ?)",
                               arguments: ["text \(index)"])
            }
        }
        let report = try await database.ingest(limit: count, now: at, directory: try await database.loadDirectory(), rules: IngestRules(windows: nil))
        #expect(report.rejected.count == count)
    }

    static func purged(_ database: QueueDatabase) async throws -> Int {
        try await database.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE body_purged_at IS NOT NULL AND body = ''") ?? 0
        }
    }

    @Test("a pass at start, then one per interval; 500 rows per transaction at most; one rollup line per pass that purged")
    func purgesAtStartThenEveryInterval() async throws {
        let folder = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try QueueDatabase(path: folder.appendingPathComponent("herald.db").path)
        defer { try? database.pool.close() }
        let clock = ManualWallClock(Self.start)
        try await Self.rejected(database, count: 1_200, at: Self.start)
        _ = try await database.receive(InboundReport(from: "+16125550123", to: "+16125550100", body: "STOP", sid: "SMin1"), now: Self.start, directory: try await database.loadDirectory())
        clock.set(Self.start + 61 * Self.day)

        let log = LogCapture()
        let service = RetentionService(
            database: database, settings: .init(days: 60, interval: .milliseconds(200), batchSize: 500, pause: .milliseconds(1)),
            clock: clock, logger: log.logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            #expect(try await eventually { try await Self.purged(database) == 1_200 })
            #expect(try await eventually { !log.messages(atLeast: .info).isEmpty })

            // Final now, so young until the clock moves on by more than the retention. Two more
            // passes (logged at debug when they purge nothing) means one began after the insert.
            let passesBefore = log.messages(atLeast: .debug).filter { $0.hasPrefix("retention: emptied") }.count
            try await Self.rejected(database, count: 1, at: clock.now())
            #expect(try await eventually { log.messages(atLeast: .debug).filter { $0.hasPrefix("retention: emptied") }.count >= passesBefore + 2 })
            #expect(try await Self.purged(database) == 1_200)
            clock.advance(by: 61 * Self.day)
            #expect(try await eventually { try await Self.purged(database) == 1_201 })
            // The pass that purged it logs after its commit: wait for that line, not just the rows.
            #expect(try await eventually { log.messages(atLeast: .info).count >= 2 })
            group.cancelAll()
            try? await group.waitForAll()
        }
        let cutoff = Timestamp.format(Self.start + Self.day)
        #expect(log.messages(atLeast: .info).first == """
            retention: emptied the bodies of 1200 messages final before \(cutoff) and of 1 replies received before then \
            (retention.days = 60, 4 transactions)
            """)
        #expect(log.messages(atLeast: .info).count == 2, "\(log.messages(atLeast: .info))")
        #expect(log.messages(atLeast: .error).isEmpty)
    }

    @Test("a pass that fails is logged for the operator and the service goes on; the next pass does the work")
    func failedPassIsRetried() async throws {
        let folder = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try QueueDatabase(path: folder.appendingPathComponent("herald.db").path)
        defer { try? database.pool.close() }
        try await Self.rejected(database, count: 3, at: Self.start)
        // Stands in for a full disk or a read-only file: every write of a body fails.
        try await database.pool.write { db in
            try db.execute(sql: """
                CREATE TRIGGER refuse BEFORE UPDATE OF body ON message BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END
                """)
        }
        let log = LogCapture()
        let service = RetentionService(
            database: database, settings: .init(days: 60, interval: .milliseconds(100), batchSize: 500, pause: .milliseconds(1)),
            clock: ManualWallClock(Self.start + 61 * Self.day), logger: log.logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            let logged = try await eventually { !log.messages(atLeast: .error).isEmpty }
            #expect(logged)
            #expect(try await Self.purged(database) == 0)
            try await database.pool.write { db in try db.execute(sql: "DROP TRIGGER refuse") }
            let purged = try await eventually { try await Self.purged(database) == 3 }
            #expect(purged)
            // The pass that did the work logs the recovery after its commit.
            let recovered = try await eventually {
                log.messages(atLeast: .notice).contains { $0.hasPrefix("retention: cannot empty old bodies: recovered after ") }
            }
            #expect(recovered, "\(log.messages(atLeast: .notice))")
            group.cancelAll()
            try? await group.waitForAll()
        }
        let error = try #require(log.messages(atLeast: .error).first)
        #expect(error.hasPrefix("retention: cannot empty old bodies: "))
        #expect(error.contains("(0 messages and 0 replies done this pass; will try again in"))
        #expect(error.contains("database or disk is full"))
        // Every 100 ms a pass failed; the journal got one line for it, and one when it cleared.
        #expect(log.messages(atLeast: .error).count == 1, "\(log.messages(atLeast: .error))")
    }

    @Test("heraldd purges at start, by the retention.days of its configuration")
    func daemonPurgesAtStart() async throws {
        let folder = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let databasePath = folder.appendingPathComponent("herald.db").path
        let seed = try QueueDatabase(path: databasePath)
        try await Self.rejected(seed, count: 3, at: Self.start)
        try await Self.rejected(seed, count: 2, at: Self.start + 20 * Self.day)
        try seed.pool.close()

        let tokenPath = folder.appendingPathComponent("token").path
        try "token".write(toFile: tokenPath, atomically: true, encoding: .utf8)
        let configuration = try HeraldConfiguration.parse(toml: DaemonHarness.configText(
            databasePath: databasePath, carrierURL: "http://127.0.0.1:9", tokenPath: tokenPath,
            extra: "[retention]\ndays = 30"
        ), baseDirectory: folder.path)
        // 45 days on: 30-day retention takes the first three; the default 60 would take none.
        let clock = ManualWallClock(Self.start + 45 * Self.day)
        let daemon = try Daemon(configuration: configuration, authToken: "token", carrier: ScriptedCarrierClient(), clock: clock,
                                logger: LogCapture().logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await daemon.run(gracefulShutdownSignals: []) }
            let sqlite = try #require(daemon.database as? QueueDatabase)
            let purgedAtStart = try await eventually { try await Self.purged(sqlite) == 3 }
            #expect(purgedAtStart)
            await daemon.stop()
            try? await group.waitForAll()
        }
        let sqlite = try #require(daemon.database as? QueueDatabase)
        let bodies = try await sqlite.pool.read { db in try String.fetchAll(db, sql: "SELECT body FROM messages ORDER BY id") }
        #expect(bodies == ["", "", "", "text 0", "text 1"])
    }
}
