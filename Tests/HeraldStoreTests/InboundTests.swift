import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Testing

@Suite("Store: inbound replies")
struct InboundTests {
    @Test(arguments: Backend.allCases) func storedOnceBySid(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let reply = InboundReport(from: StoreFixture.contact, to: StoreFixture.alice, body: "YES", sid: "SMin1")
        let first = try await fixture.receive(reply, now: fixture.now)
        #expect(first.isNew)
        #expect(first.orgID == "acme")
        let again = try await fixture.receive(reply, now: fixture.now + 5)
        #expect(again.id == first.id)
        #expect(again.orgID == "acme")
        #expect(!again.isNew)
        #expect(try await fixture.count("SELECT COUNT(*) FROM inbound_message") == 1)
        let row = try #require(try await fixture.row("SELECT * FROM inbound_messages WHERE id = ?", [first.id]))
        #expect(row["org"] as String? == "acme")
        #expect(row["body"] as String == "YES")
        #expect(row["carrier_sid"] as String? == "SMin1")
        #expect(row["received_at"] as String == "2027-01-15T08:00:00.000Z")
    }

    @Test(arguments: Backend.allCases) func withoutSidEachIsStored(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let reply = InboundReport(from: StoreFixture.contact, to: StoreFixture.bob, body: "hi", sid: nil)
        let a = try await fixture.receive(reply, now: fixture.now)
        let b = try await fixture.receive(reply, now: fixture.now)
        #expect(a.isNew && b.isNew)
        #expect(a.id != b.id)
        #expect(a.orgID == "globex")
    }

    @Test(arguments: Backend.allCases) func toAnUnknownNumberHasNoOrg(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let stored = try await fixture.receive(InboundReport(from: StoreFixture.contact, to: "+13125550000", body: "?", sid: "SMx"), now: fixture.now)
        #expect(stored.isNew)
        #expect(stored.orgID == nil)
    }
}
