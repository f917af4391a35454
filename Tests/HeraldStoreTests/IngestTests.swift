import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Testing

@Suite("Store: ingest")
struct IngestTests {
    @Test(arguments: Backend.allCases) func acceptsAndRejectsAndEmptiesTheOutbox(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let good = try await fixture.produce(body: "Hi there", ref: "crm-1")
        let later = try await fixture.produce(kind: "bulk", sendAt: "2027-01-15T09:00:00Z")
        let jamaica = try await fixture.produce(to: "+1 876 555 0100")
        let blank = try await fixture.produce(body: "   ")
        let noOrg = try await fixture.produce(org: nil)

        let report = try await fixture.ingest()
        #expect(report.queued == 1)
        #expect(report.scheduled == 1)
        #expect(report.rejected.map(\.messageID) == [jamaica, blank, noOrg])
        #expect(report.rejected.map(\.reason.code) == ["invalid_number", "empty_body", "missing_field"])
        #expect(report.total == 5)
        #expect(try await fixture.count("SELECT COUNT(*) FROM outbox") == 0)

        // Message ids are the outbox ids.
        let ids = try await fixture.db.messages().map(\.id)
        #expect(ids == [good, later, jamaica, blank, noOrg])

        let queued = try #require(try await fixture.db.message(good))
        #expect(queued.state == .queued)
        #expect(queued.to == StoreFixture.contact)
        #expect(queued.notBefore == fixture.now)
        #expect(queued.segments == 1)
        #expect(!queued.carrierKey.isEmpty)

        let scheduled = try #require(try await fixture.db.message(later))
        #expect(scheduled.state == .scheduled)
        #expect(scheduled.heldReason == .sendAt)
        #expect(scheduled.notBefore == fixture.now + 3600)

        let rejected = try #require(try await fixture.db.message(jamaica))
        #expect(rejected.state == .rejected)
        #expect(rejected.reason == "invalid_number")
        #expect(rejected.detail?.contains("Jamaica") == true)

        // The public view shows the same, with the producer's reference.
        let view = try #require(try await fixture.row("SELECT * FROM messages WHERE id = ?", [good]))
        #expect(view["state"] as String == "queued")
        #expect(view["display_status"] as String == "in queue")
        #expect(view["external_ref"] as String? == "crm-1")
        #expect(view["from_number"] as String? == StoreFixture.alice)
        #expect(view["not_before"] as String == "2027-01-15T08:00:00.000Z")
        let rejectedView = try #require(try await fixture.row("SELECT * FROM messages WHERE id = ?", [blank]))
        #expect(rejectedView["display_status"] as String == "failed")
        #expect(rejectedView["reason"] as String? == "empty_body")
    }

    @Test(arguments: Backend.allCases) func oneEventPerMessage(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let queued = try await fixture.produce()
        let scheduled = try await fixture.produce(sendAt: "1800003600")
        let rejected = try await fixture.produce(kind: "fax")
        try await fixture.ingest()
        #expect(try await fixture.count("SELECT COUNT(*) FROM message_event") == 3)

        let first = try await fixture.db.events(of: queued)
        #expect(first.count == 1)
        #expect(first.first?.from == nil)
        #expect(first.first?.to == .queued)
        #expect(first.first?.at == fixture.now)

        let second = try await fixture.db.events(of: scheduled)
        #expect(second.map(\.to) == [.scheduled])
        #expect(second.first?.reason == "send_at")

        let third = try await fixture.db.events(of: rejected)
        #expect(third.map(\.to) == [.rejected])
        #expect(third.first?.reason == "bad_kind")
        #expect(third.first?.detail?.contains("fax") == true)
    }

    @Test(arguments: Backend.allCases) func respectsTheLimitOldestFirst(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let a = try await fixture.produce()
        let b = try await fixture.produce()
        let c = try await fixture.produce()
        let report = try await fixture.ingest(limit: 2)
        #expect(report.total == 2)
        #expect(try await fixture.db.messages().map(\.id) == [a, b])
        #expect(try await fixture.db.outboxHasRows())
        #expect(try await fixture.count("SELECT id FROM outbox") == Int(c))
        try await fixture.ingest(limit: 2)
        #expect(try await fixture.db.messages().map(\.id) == [a, b, c])
        #expect(try await !fixture.db.outboxHasRows())
        #expect(try await fixture.ingest().total == 0)
    }

    @Test(arguments: Backend.allCases) func outboxRowsLeaveOnlyWithTheirMessages(_ backend: Backend) async throws {
        // A failure halfway through a batch rolls the whole batch back: nothing is lost.
        let fixture = try await StoreFixture(backend)
        let first = try await fixture.produce()
        let second = try await fixture.produce()
        try await fixture.execute("""
            INSERT INTO message (id, priority, state, not_before, carrier_key, created_at, updated_at)
            VALUES (?, 1, 'queued', 0, 'squatter', 0, 0)
            """, [second])
        await #expect(throws: (any Error).self) { try await fixture.ingest() }
        #expect(try await fixture.count("SELECT COUNT(*) FROM outbox") == 2)
        #expect(try await fixture.db.message(first) == nil)
        #expect(try await fixture.count("SELECT COUNT(*) FROM message_event") == 0)
    }

    /// Producers write numbers where text is expected (and, into SQLite's untyped columns, blobs).
    @Test(arguments: Backend.allCases) func wronglyTypedColumnsAreJudgedNotCrashed(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let body = backend == .sqlite ? "X'48656C6C6F'" : "'Hello'"
        let id = try await fixture.insert("""
            INSERT INTO outbox (org, sender, to_number, body, send_at) VALUES ('acme', 'alice', 6125550123, \(body), 1800000060)
            """)
        try await fixture.ingest()
        let message = try #require(try await fixture.db.message(id))
        #expect(message.state == .scheduled)
        #expect(message.to == StoreFixture.contact)
        #expect(message.notBefore == fixture.now + 60)
    }

    @Test(arguments: Backend.allCases) func duplicateIdempotencyKeyIsRejected(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let first = try await fixture.produce(key: "order-42")
        let second = try await fixture.produce(body: "again", key: "order-42")
        let otherOrg = try await fixture.produce(org: "globex", sender: "bob", key: "order-42")
        let report = try await fixture.ingest()
        #expect(report.queued == 2)
        #expect(report.rejected.map(\.messageID) == [second])
        #expect(report.rejected.map(\.reason) == [.duplicateIdempotencyKey(key: "order-42", existingMessage: first)])
        let rejected = try #require(try await fixture.db.message(second))
        #expect(rejected.state == .rejected)
        #expect(rejected.reason == "duplicate_idempotency_key")
        #expect(rejected.detail?.contains("\(first)") == true)
        #expect(try await fixture.state(otherOrg) == .queued)

        // A later batch is checked against earlier ones too.
        let third = try await fixture.produce(key: "order-42")
        let again = try await fixture.ingest()
        #expect(again.rejected.map(\.reason) == [.duplicateIdempotencyKey(key: "order-42", existingMessage: first)])
        #expect(try await fixture.state(third) == .rejected)
        // The key stays with the first message only.
        #expect(try await fixture.count("SELECT COUNT(*) FROM message WHERE idempotency_key = 'order-42' AND org_id = 'acme'") == 1)
    }

    @Test(arguments: Backend.allCases) func repeatedKeyOnRejectedRowsDoesNotWedgeTheOutbox(_ backend: Backend) async throws {
        // A producer retrying the same bad INSERT: both rows carry the same key and both are invalid.
        let fixture = try await StoreFixture(backend)
        let first = try await fixture.produce(to: "+1 876 555 0100", key: "retry-me")
        let second = try await fixture.produce(to: "+1 876 555 0100", key: "retry-me")
        let report = try await fixture.ingest()
        #expect(report.rejected.map(\.messageID) == [first, second])
        #expect(report.rejected.first?.reason.code == "invalid_number")
        #expect(report.rejected.last?.reason == .duplicateIdempotencyKey(key: "retry-me", existingMessage: first))
        #expect(try await fixture.count("SELECT COUNT(*) FROM outbox") == 0)
        // And in a later batch, after a fix, the key is still taken by the rejected first row.
        let fixed = try await fixture.produce(key: "retry-me")
        let later = try await fixture.ingest()
        #expect(later.rejected.map(\.reason) == [.duplicateIdempotencyKey(key: "retry-me", existingMessage: first)])
        #expect(try await fixture.state(fixed) == .rejected)
    }
}
