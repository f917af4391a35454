import Foundation
import GRDB
import GRDBSQLite
import HeraldCore
@testable import HeraldStore
import Testing

/// `countsByState` feeds systemd's STATUS= line every few seconds: it must cost in proportion to
/// the backlog, never to the history of final messages.
@Suite("Store: queue depth")
struct QueueDepthTests {
    /// Copied verbatim from `QueueDatabase.countsByState` (MessageQueries.swift).
    static let depthSQL = """
        SELECT state, COUNT(*) AS n FROM message INDEXED BY message_state
        WHERE \(MessageStateIndex.predicate) GROUP BY state
        """

    /// `counts` messages per state, ids from `firstID`.
    private static func insert(_ counts: [MessageState: Int], into fixture: StoreFixture, firstID: Int) async throws {
        let now = fixture.now.unixMillis
        var id = firstID
        for (state, count) in counts {
            // WITH RECURSIVE: a row generator SQLite and PostgreSQL both understand.
            try await fixture.execute("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                INSERT INTO message (id, org_id, user_id, from_number, to_number, body, kind, priority, state,
                    not_before, segments, attempts, carrier_key, created_at, updated_at)
                SELECT ? + i, 'acme', 'alice', '\(StoreFixture.alice)', '\(StoreFixture.contact)', 'x', 'bulk', 4, ?,
                    ?, 1, 0, 'key-' || (? + i), ?, ?
                FROM n
                """, [count, id, state.rawValue, now, id, now, now])
            id += count
        }
    }

    private static func steps(_ fixture: StoreFixture) async throws -> (steps: Int32, fullScan: Int32, plan: [String]) {
        try await fixture.sqlite.pool.read { db in
            let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + depthSQL).map { $0["detail"] as String }
            let statement = try db.makeStatement(sql: depthSQL)
            _ = try Row.fetchAll(statement)
            return (sqlite3_stmt_status(statement.sqliteStatement, SQLITE_STMTSTATUS_VM_STEP, 0),
                    sqlite3_stmt_status(statement.sqliteStatement, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0), plan)
        }
    }

    @Test("Counts every state Herald still acts on, and no final state", arguments: Backend.allCases)
    func counts(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let waiting: [MessageState: Int] = [.queued: 7, .scheduled: 5, .awaitingConsent: 2, .sending: 3, .sent: 4]
        try await Self.insert(waiting, into: fixture, firstID: 0)
        try await Self.insert([.delivered: 11, .failed: 2, .rejected: 1, .canceled: 1, .expired: 1, .undelivered: 1],
                              into: fixture, firstID: 1_000)
        #expect(try await fixture.db.countsByState() == waiting)
    }

    /// SQLite only: SQLite's query plan and VM step counts.
    @Test("Walks only the non-final index entries: 20,000 delivered rows add no steps")
    func costFollowsTheBacklog() async throws {
        let backlog: [MessageState: Int] = [.queued: 300, .scheduled: 500, .sending: 64, .sent: 100]
        let quiet = try await StoreFixture()
        try await Self.insert(backlog, into: quiet, firstID: 0)
        let historic = try await StoreFixture()
        try await Self.insert(backlog, into: historic, firstID: 0)
        try await Self.insert([.delivered: 20_000, .failed: 1_000], into: historic, firstID: 1_000_000)

        let small = try await Self.steps(quiet)
        let large = try await Self.steps(historic)
        #expect(large.plan == ["SEARCH message USING COVERING INDEX message_state (state=?)"], "\(large.plan)")
        #expect(large.fullScan == 0)
        #expect(large.steps == small.steps, "without history: \(small.steps) steps; with 21,000 final rows: \(large.steps)")
        #expect(try await historic.db.countsByState() == backlog)
    }
}
