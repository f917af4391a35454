import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Testing

@Suite("Store: reply forwarding queue")
struct ReplyForwardQueueTests {
    /// The fixture's organizations, with Alice asking for her replies by email and Carol not.
    static func forwardingFixture(_ backend: Backend) async throws -> StoreFixture {
        let fixture = try await StoreFixture(backend)
        var organizations = StoreFixture.organizations
        organizations[0].senders[0].email = "alice@example.com"
        organizations[0].senders[0].forwardReplies = true
        organizations[0].senders[1].email = "carol@example.com"
        try await fixture.db.upsert(organizations: organizations, now: fixture.now)
        return fixture
    }

    func receive(_ fixture: StoreFixture, from: String = StoreFixture.contact, to: String = StoreFixture.alice, _ body: String,
                 sid: String? = nil, forwarding: Bool = true, at time: Date? = nil) async throws -> StoredInbound {
        try await fixture.db.receive(InboundReport(from: from, to: to, body: body, sid: sid), now: time ?? fixture.now,
                                     directory: try await fixture.db.loadDirectory(), forwarding: forwarding)
    }

    @Test("a reply to a user who forwards is queued in the transaction that stores it, due at once", arguments: Backend.allCases)
    func queuedWithTheReply(_ backend: Backend) async throws {
        let fixture = try await Self.forwardingFixture(backend)
        let stored = try await receive(fixture, "Running late", sid: "SMf1")
        let id = try #require(stored.forward)
        let row = try #require(try await fixture.row("SELECT * FROM reply_forwards WHERE id = ?", [id]))
        #expect(row["inbound_id"] as Int64 == stored.id)
        #expect(row["org"] as String == "acme")
        #expect(row["user"] as String == "alice")
        #expect(row["to_address"] as String == "alice@example.com")
        #expect(row["state"] as String == "pending")
        #expect(row["attempts"] as Int == 0)
        #expect(row["next_attempt_at"] as String == "2027-01-15T08:00:00.000Z")
        // A redelivered webhook stores nothing new, so it forwards nothing new.
        let again = try await receive(fixture, "Running late", sid: "SMf1")
        #expect(!again.isNew)
        #expect(again.forward == nil)
        #expect(try await fixture.count("SELECT COUNT(*) FROM reply_forward") == 1)
    }

    @Test("keywords are forwarded too; users who did not ask, unknown numbers and forwarding off queue nothing", arguments: Backend.allCases)
    func whoIsForwarded(_ backend: Backend) async throws {
        let fixture = try await Self.forwardingFixture(backend)
        let stop = try await receive(fixture, "STOP")
        #expect(stop.keyword == .optOut)
        #expect(stop.forward != nil)
        #expect(try await receive(fixture, to: StoreFixture.carol, "hi Carol").forward == nil)
        #expect(try await receive(fixture, to: "+13125550000", "who?").forward == nil)
        #expect(try await receive(fixture, "forwarding off", forwarding: false).forward == nil)
        #expect(try await fixture.count("SELECT COUNT(*) FROM reply_forward") == 1)
    }

    @Test("due forwards carry what the mail says: contact name from the contact list, numbers, text, keyword", arguments: Backend.allCases)
    func dueForwardsComposeTheMail(_ backend: Backend) async throws {
        let fixture = try await Self.forwardingFixture(backend)
        let contact = try await fixture.insert(
            "INSERT INTO contact (org_id, first_name, last_name, created_at, updated_at) VALUES ('acme', 'José', 'Núñez', 0, 0)")
        try await fixture.execute("INSERT INTO contact_number (org_id, number, contact_id, preferred_sms) VALUES ('acme', ?, ?, 1)",
                                  [StoreFixture.contact, contact])
        _ = try await receive(fixture, "See you at 3 😀")
        _ = try await receive(fixture, from: "+16125550177", "stop", at: fixture.now + 1)
        let due = try await fixture.db.dueForwards(now: fixture.now + 1, limit: 10)
        #expect(due.count == 2)
        let named = try #require(due.first)
        #expect(named.contactName == "José Núñez")
        #expect(named.contactNumber == StoreFixture.contact)
        #expect(named.userNumber == StoreFixture.alice)
        #expect(named.userName == "Alice")
        #expect(named.orgName == "Acme")
        #expect(named.timeZone == "America/Chicago")
        #expect(named.text == "See you at 3 😀")
        #expect(named.receivedAt == fixture.now)
        #expect(named.keyword == nil)
        #expect(due[1].contactName == nil)
        #expect(due[1].keyword == .optOut)
        #expect(try await fixture.db.dueForwards(now: fixture.now - 1, limit: 10).isEmpty, "nothing is due before it was received")
    }

    @Test("a retry waits for its time, a failure and a success leave the queue for good", arguments: Backend.allCases)
    func transitions(_ backend: Backend) async throws {
        let fixture = try await Self.forwardingFixture(backend)
        let first = try #require(try await receive(fixture, "one").forward)
        let second = try #require(try await receive(fixture, "two").forward)
        try await fixture.db.forwardRetry(first, attempts: 1, error: "connection refused", retryAt: fixture.now + 30, now: fixture.now)
        #expect(try await fixture.db.dueForwards(now: fixture.now + 29, limit: 10).map(\.id) == [second])
        #expect(try await fixture.db.nextForwardDue() == fixture.now)
        try await fixture.db.forwardFailed(second, attempts: 10, error: "550 no such user", now: fixture.now)
        #expect(try await fixture.db.nextForwardDue() == fixture.now + 30)
        let retried = try #require(try await fixture.db.dueForwards(now: fixture.now + 30, limit: 10).first)
        #expect(retried.id == first)
        #expect(retried.attempts == 1)
        try await fixture.db.forwardSent(first, attempts: 2, now: fixture.now + 31)
        #expect(try await fixture.db.nextForwardDue() == nil)
        let rows = try await fixture.rows("SELECT state, attempts, last_error, sent_at FROM reply_forwards ORDER BY id")
        #expect(rows.map { $0["state"] as String } == ["sent", "failed"])
        #expect(rows.map { $0["attempts"] as Int } == [2, 10])
        #expect(rows[0]["last_error"] as String? == nil)
        #expect(rows[0]["sent_at"] as String? == "2027-01-15T08:00:31.000Z")
        #expect(rows[1]["last_error"] as String? == "550 no such user")
    }

    @Test("the users asking for forwarding are listed, for the warning when [email] is absent", arguments: Backend.allCases)
    func usersAsking(_ backend: Backend) async throws {
        let fixture = try await Self.forwardingFixture(backend)
        #expect(try await fixture.db.usersForwardingReplies() == ["acme/alice"])
    }
}
