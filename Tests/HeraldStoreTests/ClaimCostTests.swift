import Foundation
import GRDB
import GRDBSQLite
import HeraldCore
import HeraldStore
import Testing

/// Acceptance: "the cost of a claim does not grow with the number of messages deferred for later".
/// Proved without timing: the claim's SELECT searches index `message_due`, and SQLite counts the
/// same number of virtual-machine steps whether 0 or 100,000 messages wait for a later time.
/// SQLite only: SQLite's query plans and VM step counts. PostgresQueueTests checks the PostgreSQL claim's plan.
@Suite("Store: claim cost does not grow with deferred messages")
struct ClaimCostTests {
    /// Copied verbatim from `QueueDatabase.claimDue` (Claims.swift). `productionStatementIsThisSQL`
    /// fails if the two drift apart.
    static let claimColumns = """
        SELECT id, org_id, user_id, from_number, to_number, body, kind, segments, held_reason, not_before,
            expires_at, attempts, carrier_key, state, credits_charged, created_at,
            CASE WHEN held_reason IS 'outcome_lookup' THEN 1 WHEN state = 'scheduled' AND attempts > 0 THEN (
                SELECT reason FROM message_event WHERE message_id = message.id AND from_state = 'sending' ORDER BY id DESC LIMIT 1
            ) IS 'outcome_lookup' ELSE 0 END
        """
    static let claimSQL = """
        \(claimColumns)
        FROM message INDEXED BY message_due
        WHERE state IN ('queued', 'scheduled') AND held_reason IS NOT 'sender_rate' AND priority = ? AND not_before <= ?
        ORDER BY not_before LIMIT ?
        """

    /// The claim's first look, at texts held back to their rate slot.
    static let pacedSQL = """
        \(claimColumns)
        FROM message INDEXED BY message_paced
        WHERE state = 'scheduled' AND held_reason = 'sender_rate' AND priority = ? AND not_before <= ?
        ORDER BY not_before LIMIT ?
        """

    static let nextDueSQL = """
        SELECT not_before FROM message INDEXED BY message_due
        WHERE state IN ('queued', 'scheduled') AND priority = ? ORDER BY not_before LIMIT 1
        """

    static let due = 100
    static let deferred = 100_000
    static let finished = 20_000
    static let limit = 1_000

    /// `due` messages due now, spread over every priority; plus, when `crowded`, `deferred` queued and
    /// scheduled messages of every priority due in 30 days, and `finished` delivered ones from the past.
    private static func queue(crowded: Bool) async throws -> StoreFixture {
        let fixture = try await StoreFixture()
        let now = fixture.now.unixMillis
        try await fixture.sqlite.pool.write { db in
            let insert = """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                INSERT INTO message (id, org_id, user_id, from_number, to_number, body, kind, priority, state, held_reason,
                    not_before, segments, encoding, attempts, carrier_key, created_at, updated_at)
                SELECT ? + i, 'acme', 'alice', '\(StoreFixture.alice)',
                    -- Opt-in requests each to a number of their own: a user's requests to one contact go 12 hours apart.
                    CASE i % 5 WHEN 2 THEN '+1612556' || substr('0000' || (i % 10000), -4) ELSE '\(StoreFixture.contact)' END, 'text ' || i,
                    CASE i % 5 WHEN 0 THEN 'system' WHEN 1 THEN 'conversational' WHEN 2 THEN 'opt_in_request'
                        WHEN 3 THEN 'journey' ELSE 'bulk' END,
                    i % 5, ?, ?, ? + i, 1, 'GSM-7', 0, 'key-' || (? + i), ?, ?
                FROM n
                """
            // Due: ids 1...100, not_before in the last second.
            try db.execute(sql: insert, arguments: [due, 0, "queued", nil, now - 1_000, 0, now, now])
            if crowded {
                let later = now + 30 * 86_400_000
                try db.execute(sql: insert, arguments: [deferred / 2, 1_000_000, "queued", nil, later, 1_000_000, now, now])
                try db.execute(sql: insert, arguments: [deferred / 2, 2_000_000, "scheduled", "send_at", later, 2_000_000, now, now])
                try db.execute(sql: insert, arguments: [finished, 3_000_000, "delivered", nil, now - 86_400_000, 3_000_000, now, now])
            }
        }
        let total = try await fixture.count("SELECT COUNT(*) FROM message")
        #expect(total == due + (crowded ? deferred + finished : 0))
        return fixture
    }

    /// Runs the claim's SELECT exactly as `claimDue` does (one priority at a time, highest first)
    /// on a fresh statement and returns SQLite's counters for it.
    private static func selectCost(_ fixture: StoreFixture) async throws -> (steps: Int32, fullScan: Int32, sorts: Int32, rows: Int) {
        let at = fixture.now.unixMillis
        return try await fixture.sqlite.pool.read { db in
            let statement = try db.makeStatement(sql: claimSQL)
            var rows = 0
            for priority in MessageKind.priorities where rows < limit {
                rows += try Row.fetchAll(statement, arguments: [priority, at, limit - rows]).count
            }
            let handle = statement.sqliteStatement
            return (
                sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_VM_STEP, 0),
                sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0),
                sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_SORT, 0),
                rows
            )
        }
    }

    /// VM steps of the production statement over one real `claimDue` call.
    private static func productionClaimSteps(_ fixture: StoreFixture) async throws -> (steps: Int32, claimed: [ClaimedMessage]) {
        // The cached statement is the one claimDue uses on the writer connection: reset its counter.
        try await fixture.sqlite.pool.write { db in
            _ = sqlite3_stmt_status(try db.cachedStatement(sql: claimSQL).sqliteStatement, SQLITE_STMTSTATUS_VM_STEP, 1)
        }
        let claimed = try await fixture.db.claimDue(now: fixture.now, limit: limit) { _ in .send }.claimed
        let steps = try await fixture.sqlite.pool.write { db in
            sqlite3_stmt_status(try db.cachedStatement(sql: claimSQL).sqliteStatement, SQLITE_STMTSTATUS_VM_STEP, 0)
        }
        return (steps, claimed)
    }

    @Test func claimSelectSearchesTheDueIndex() async throws {
        let fixture = try await Self.queue(crowded: true)
        let at = fixture.now.unixMillis
        let cases: [(String, StatementArguments, [String])] = [
            // The subquery (how a retry's last post ended) is one search of a message's own events.
            (Self.claimSQL, [0, at, 10], ["SEARCH message USING INDEX message_due (priority=? AND not_before<?)", "CORRELATED SCALAR SUBQUERY 1",
                                          "SEARCH message_event USING INDEX message_event_message (message_id=?)"]),
            (Self.pacedSQL, [0, at, 10], ["SEARCH message USING INDEX message_paced (priority=? AND not_before<?)", "CORRELATED SCALAR SUBQUERY 1",
                                          "SEARCH message_event USING INDEX message_event_message (message_id=?)"]),
            (Self.nextDueSQL, [0], ["SEARCH message USING INDEX message_due (priority=?)"]),
        ]
        for (sql, arguments, expected) in cases {
            let plan = try await fixture.sqlite.pool.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
            }
            // One search of the partial index: no table scan, no sort.
            #expect(plan == expected)
            #expect(!plan.contains { $0.contains("SCAN") || $0.contains("TEMP B-TREE") }, "\(plan)")
        }
    }

    @Test func claimStepsDoNotGrowWithDeferredMessages() async throws {
        let empty = try await Self.queue(crowded: false)
        let crowded = try await Self.queue(crowded: true)

        let quiet = try await Self.selectCost(empty)
        let busy = try await Self.selectCost(crowded)
        #expect(quiet.rows == Self.due)
        #expect(busy.rows == Self.due)
        #expect(quiet.steps > 0)
        // Equal or nearly: well within 10 %, and nowhere near the 100,000 rows waiting.
        #expect(abs(Int(busy.steps) - Int(quiet.steps)) * 10 <= Int(quiet.steps), "0 deferred: \(quiet.steps) steps; \(Self.deferred) deferred: \(busy.steps) steps")
        #expect(busy.steps < 10_000)
        #expect(busy.fullScan == 0)
        #expect(busy.sorts == 0)

        // The same through claimDue itself, counting the statement it really runs.
        let quietClaim = try await Self.productionClaimSteps(empty)
        let busyClaim = try await Self.productionClaimSteps(crowded)
        #expect(quietClaim.claimed.count == Self.due)
        #expect(busyClaim.claimed.count == Self.due)
        #expect(Set(busyClaim.claimed.map(\.id)) == Set(1...Int64(Self.due)))
        #expect(quietClaim.steps > 0, "claimDue did not run the statement copied in this test: Claims.swift and claimSQL differ")
        #expect(abs(Int(busyClaim.steps) - Int(quietClaim.steps)) * 10 <= Int(quietClaim.steps),
                "claimDue with 0 deferred: \(quietClaim.steps) steps; with \(Self.deferred) deferred: \(busyClaim.steps) steps")
        // Priority order held across the crowd: system (i % 5 == 0) first, bulk last.
        #expect(busyClaim.claimed.prefix(20).allSatisfy { $0.id % 5 == 0 })
        #expect(busyClaim.claimed.suffix(20).allSatisfy { $0.id % 5 == 4 })

        // Once nothing is due, a claim over the crowd costs a handful of steps per priority.
        let idle = try await Self.productionClaimSteps(crowded)
        #expect(idle.claimed.isEmpty)
        #expect(idle.steps < 200, "an empty claim took \(idle.steps) steps")
        #expect(try await crowded.db.nextDue()?.unixMillis == crowded.now.unixMillis + 30 * 86_400_000 + 1)
    }
}
