import Foundation
import GRDB
import HeraldCore
import HeraldTestSupport
import Testing

@testable import HeraldStore

@Suite("Store: body retention")
struct RetentionTests {
    static let day: TimeInterval = 86_400
    static let retention: TimeInterval = 60 * day

    /// A message alice sent at `at`; the carrier then reports `status` 10 s later, if given.
    private func reported(_ fixture: StoreFixture, body: String, status: String?, at: Date, sid: String) async throws -> Int64 {
        let id = try await fixture.produce(body: body)
        try await fixture.ingest(at: at)
        let message = try #require(try await fixture.claimAll(at: at).first { $0.id == id })
        try await fixture.db.record(
            [DispatchRecord(message: message, decision: .sent(sid: sid, carrierStatus: "queued", segments: 1), httpStatus: 201)],
            now: at)
        if let status {
            _ = try await fixture.db.apply(StatusReport(messageID: id, sid: sid, status: status, errorCode: nil, segments: 1),
                                           now: at + 10)
        }
        return id
    }

    /// Purges as the retention service does: batch after batch until one comes back short.
    private func purgeAll(_ fixture: StoreFixture, clock: ManualWallClock, limit: Int = 500) async throws -> (messages: Int, inbound: Int) {
        let cutoff = clock.now() - Self.retention
        var messages = 0
        var inbound = 0
        while true {
            let purged = try await fixture.db.purgeMessageBodies(finalBefore: cutoff, now: clock.now(), limit: limit)
            messages += purged
            if purged < limit { break }
        }
        while true {
            let purged = try await fixture.db.purgeInboundBodies(receivedBefore: cutoff, now: clock.now(), limit: limit)
            inbound += purged
            if purged < limit { break }
        }
        return (messages, inbound)
    }

    /// Every column of every row but the two retention changes, to show nothing else moved.
    private func everythingButBodies(_ fixture: StoreFixture) async throws -> [String] {
        func render(_ rows: [FixtureRow]) -> [String] {
            rows.map { row in
                row.cells.filter { !["body", "body_purged_at"].contains($0.key) }.sorted { $0.key < $1.key }
                    .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            }
        }
        return render(try await fixture.rows("SELECT * FROM message ORDER BY id"))
            + render(try await fixture.rows("SELECT * FROM inbound_message ORDER BY id"))
            + render(try await fixture.rows("SELECT * FROM message_event ORDER BY id"))
    }

    private func body(_ fixture: StoreFixture, message id: Int64) async throws -> (body: String?, purgedAt: Int64?) {
        let row = try #require(try await fixture.row("SELECT body, body_purged_at FROM message WHERE id = ?", [id]))
        return (row["body"], row["body_purged_at"])
    }

    @Test("bodies of messages final for longer than retention.days go; young and unfinished ones, replies' metadata, events and usage stay", arguments: Backend.allCases)
    func purgesOnlyOldFinalBodies(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let start = fixture.now
        let clock = ManualWallClock(start)

        // Ended at the start: due for purging 60 days later.
        let delivered = try await reported(fixture, body: "old delivered", status: "delivered", at: start, sid: "SMold1")
        let undelivered = try await reported(fixture, body: "old undelivered", status: "undelivered", at: start, sid: "SMold2")
        let failedID = try await fixture.produce(body: "old failed")
        try await fixture.ingest(at: start)
        let claimed = try #require(try await fixture.claimAll(at: start).first)
        try await fixture.db.record([DispatchRecord(message: claimed, decision: .fail(errorCode: 21211, detail: "invalid 'To'"), httpStatus: 400)],
                                    now: start)
        let rejected = try await fixture.produce(sender: "nobody", body: "old rejected")
        try await fixture.ingest(at: start)
        let expired = try await fixture.produce(body: "old expired", expiresAt: Timestamp.format(start + 60))
        try await fixture.ingest(at: start)
        _ = try await fixture.claimAll(at: start + 120)
        // Started as long ago, never final: their bodies may still be sent or shown.
        let sent = try await reported(fixture, body: "old sent", status: nil, at: start, sid: "SMold3")
        let sending = try await fixture.produce(body: "old sending")
        try await fixture.ingest(at: start)
        _ = try await fixture.claimAll(at: start)
        // Final, but 59 days old when the purge runs.
        let young = try await reported(fixture, body: "young delivered", status: "delivered", at: start + 2 * Self.day, sid: "SMyoung")
        let queued = try await fixture.produce(body: "old queued")
        try await fixture.ingest(at: start)
        let scheduled = try await fixture.produce(body: "old scheduled", sendAt: "2030-01-01T00:00:00Z")
        try await fixture.ingest(at: start)
        let oldReply = try await fixture.receive(InboundReport(from: StoreFixture.contact, to: StoreFixture.alice, body: "old reply", sid: "SMin1"), now: start)
        let youngReply = try await fixture.receive(InboundReport(from: StoreFixture.contact, to: StoreFixture.alice, body: "young reply", sid: "SMin2"),
                                                    now: start + 2 * Self.day)
        #expect(try await fixture.state(failedID) == .failed)
        #expect(try await fixture.state(rejected) == .rejected)
        #expect(try await fixture.state(expired) == .expired)
        #expect(try await fixture.state(sending) == .sending)
        #expect(try await fixture.state(scheduled) == .scheduled)

        let usageBefore = try await fixture.usageLines()
        let before = try await everythingButBodies(fixture)
        clock.set(start + 61 * Self.day)
        let purged = try await purgeAll(fixture, clock: clock)

        #expect(purged.messages == 5)
        #expect(purged.inbound == 1)
        for id in [delivered, undelivered, failedID, rejected, expired] {
            let (body, purgedAt) = try await body(fixture, message: id)
            #expect(body == "", "message \(id)")
            #expect(purgedAt == clock.now().unixMillis, "message \(id)")
        }
        for (id, text) in [(sent, "old sent"), (sending, "old sending"), (queued, "old queued"), (scheduled, "old scheduled"),
                           (young, "young delivered")] {
            let (body, purgedAt) = try await body(fixture, message: id)
            #expect(body == text)
            #expect(purgedAt == nil, "message \(id)")
        }
        let replies = try await fixture.rows("SELECT id, body, body_purged_at, from_number FROM inbound_messages ORDER BY id").map {
            "\($0["id"] as Int64) \($0["body"] as String) \($0["body_purged_at"] as String? ?? "-") \($0["from_number"] as String)"
        }
        #expect(replies == [
            "\(oldReply.id)  \(Timestamp.format(clock.now())) \(StoreFixture.contact)",
            "\(youngReply.id) young reply - \(StoreFixture.contact)",
        ])
        #expect(try await everythingButBodies(fixture) == before)
        #expect(try await fixture.usageLines() == usageBefore)
        #expect(!usageBefore.isEmpty)
        // The public view says when, so '' never reads as a text that was empty.
        let view = try #require(try await fixture.row("SELECT body, body_purged_at, display_status FROM messages WHERE id = ?", [delivered]))
        #expect(view["body"] as String == "")
        #expect(view["body_purged_at"] as String? == Timestamp.format(clock.now()))
        #expect(view["display_status"] as String == "delivered")

        // A second pass finds nothing: purged rows have left the index.
        clock.advance(by: 3600)
        let again = try await purgeAll(fixture, clock: clock)
        #expect(again.messages == 0 && again.inbound == 0)
    }

    @Test("every final state is purged and no other", arguments: Backend.allCases, MessageState.allCases)
    func finalStatesOnly(backend: Backend, state: MessageState) async throws {
        let fixture = try await StoreFixture(backend)
        let clock = ManualWallClock(fixture.now + 90 * Self.day)
        let id = try await fixture.produce(body: "a body")
        try await fixture.ingest()
        // As the transition into `state` would leave the row; final_at is set by final transitions only.
        try await fixture.execute("UPDATE message SET state = ?, final_at = ?, updated_at = ? WHERE id = ?",
                                  [state.rawValue, state.isFinal ? fixture.now.unixMillis : nil, fixture.now.unixMillis, id])
        let purged = try await purgeAll(fixture, clock: clock)
        #expect(purged.messages == (state.isFinal ? 1 : 0))
        #expect(try await body(fixture, message: id).body == (state.isFinal ? "" : "a body"))
    }

    @Test("one call purges at most `limit` rows, those final longest first", arguments: Backend.allCases)
    func batchesAreBoundedAndOldestFirst(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let clock = ManualWallClock(fixture.now)
        var ids: [Int64] = []
        for index in 0..<7 { ids.append(try await fixture.produce(body: "text \(index)")) }
        try await fixture.ingest()
        let claimed = try await fixture.claimAll()
        try await fixture.db.record(
            claimed.map { DispatchRecord(message: $0, decision: .sent(sid: "SM\($0.id)", carrierStatus: "queued", segments: 1), httpStatus: 201) },
            now: fixture.now)
        // Delivered in the reverse order of their ids: age, not id, decides what goes first.
        for (offset, id) in ids.reversed().enumerated() {
            _ = try await fixture.db.apply(StatusReport(messageID: id, sid: "SM\(id)", status: "delivered", errorCode: nil, segments: 1),
                                           now: fixture.now + TimeInterval(offset * 60))
        }
        clock.set(fixture.now + 61 * Self.day)
        let cutoff = clock.now() - Self.retention
        func purgedIDs() async throws -> Set<Int64> {
            Set(try await fixture.rows("SELECT id FROM message WHERE body_purged_at IS NOT NULL").map { $0["id"] as Int64 })
        }
        #expect(try await fixture.db.purgeMessageBodies(finalBefore: cutoff, now: clock.now(), limit: 3) == 3)
        #expect(try await purgedIDs() == Set(ids.suffix(3)))
        #expect(try await fixture.db.purgeMessageBodies(finalBefore: cutoff, now: clock.now(), limit: 3) == 3)
        #expect(try await fixture.db.purgeMessageBodies(finalBefore: cutoff, now: clock.now(), limit: 3) == 1)
        #expect(try await purgedIDs() == Set(ids))
        #expect(try await fixture.db.purgeMessageBodies(finalBefore: cutoff, now: clock.now(), limit: 3) == 0)
    }

    /// SQLite only: SQLite's query plans.
    @Test("the purge statements walk their partial indexes, never the whole table")
    func purgesUseTheirIndexes() async throws {
        let fixture = try await StoreFixture(seed: false)
        let plans = try await fixture.sqlite.pool.read { db in
            try [MessageTransitions.purgeBodiesSQL, BodyRetention.purgeInbound].map { sql in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: [1, 1, 500]).map { $0["detail"] as String }
            }
        }
        #expect(plans[0].contains { $0.contains("USING INDEX message_retention") }, "\(plans[0])")
        #expect(plans[1].contains { $0.contains("USING INDEX inbound_retention") }, "\(plans[1])")
        #expect(!(plans[0] + plans[1]).contains { $0.hasPrefix("SCAN") }, "\(plans)")
    }

    /// SQLite only: SQLite's released schema history.
    @Test("a database from before retention migrates and keeps its rows, none marked purged")
    func migratesAVersionOneDatabase() async throws {
        let folder = try StoreFixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("herald.db").path
        let old = try DatabaseQueue(path: path)
        try await old.write { db in
            try db.execute(sql: SQLiteMigrations.v1Queue)
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY); INSERT INTO grdb_migrations VALUES ('v1 queue')")
            try db.execute(sql: """
                INSERT INTO message (id, body, priority, state, not_before, carrier_key, created_at, updated_at, final_at)
                VALUES (7, 'kept', 1, 'delivered', 0, 'k7', 0, 0, 0);
                INSERT INTO inbound_message (from_number, to_number, body, received_at) VALUES ('+16125550123', '+16125550100', 'HELP', 0);
                """)
        }
        try old.close()
        let database = try QueueDatabase(path: path)
        defer { try? database.pool.close() }
        let rows = try await database.pool.read { db in
            try ["SELECT body, body_purged_at FROM messages WHERE id = 7", "SELECT body, body_purged_at FROM inbound_messages"].map { sql in
                try Row.fetchOne(db, sql: sql).map { "\($0["body"] as String) \($0["body_purged_at"] as String? ?? "-")" }
            }
        }
        #expect(rows == ["kept -", "HELP -"])
    }
}
