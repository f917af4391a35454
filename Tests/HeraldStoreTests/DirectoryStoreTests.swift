import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Testing

@Suite("Store: organizations and senders")
struct DirectoryStoreTests {
    @Test(arguments: Backend.allCases) func upsertThenLoadDirectory(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let directory = try await fixture.db.loadDirectory()
        #expect(directory.organizations.count == 2)
        #expect(directory.organization("acme") == OrganizationProfile(id: "acme", name: "Acme", timeZone: "America/Chicago"))
        #expect(directory.organization("globex")?.timeZone == "America/New_York")
        #expect(directory.sender(org: "acme", named: "alice") == SenderProfile(orgID: "acme", userID: "alice", number: StoreFixture.alice, rate: 1, name: "Alice"))
        #expect(directory.sender(org: "acme", named: StoreFixture.carol)?.userID == "carol")
        #expect(directory.sender(org: "acme", named: StoreFixture.carol)?.rate == 3)
        #expect(directory.sender(number: StoreFixture.bob)?.orgID == "globex")
        #expect(directory.sender(org: "acme", named: "bob") == nil)
    }

    @Test(arguments: Backend.allCases) func upsertIsIdempotentAndUpdates(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        try await fixture.db.upsert(organizations: StoreFixture.organizations, now: fixture.now + 1)
        #expect(try await fixture.count("SELECT COUNT(*) FROM org") == 2)
        #expect(try await fixture.db.users(org: "acme").count + fixture.db.users(org: "globex").count == 3)
        #expect(try await fixture.count("SELECT COUNT(*) FROM phone_number") == 3)

        var changed = StoreFixture.organizations
        changed[0].name = "Acme Inc."
        changed[0].timeZone = "America/Denver"
        changed[0].senders[0].rate = 2
        changed[0].senders[0].signature = "- Alice"
        changed[0].senders[0].cellPhone = "+16125550188"
        try await fixture.db.upsert(organizations: changed, now: fixture.now + 2)
        let directory = try await fixture.db.loadDirectory()
        #expect(directory.sender(org: "acme", named: "alice")?.signature == "- Alice")
        #expect(try await fixture.db.users(org: "acme").first { $0.id == "alice" }?.settings.cellPhone == "+16125550188")
        #expect(try await fixture.db.users(org: "acme").allSatisfy { $0.managedBy == "config" })
        #expect(directory.organization("acme")?.name == "Acme Inc.")
        #expect(directory.organization("acme")?.timeZone == "America/Denver")
        #expect(directory.sender(org: "acme", named: "alice")?.rate == 2)
        #expect(try await fixture.count("SELECT COUNT(*) FROM phone_number") == 3)
    }

    @Test(arguments: Backend.allCases) func aNewNumberForAUserReleasesTheOldOne(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        var changed = StoreFixture.organizations
        changed[0].senders[0].number = "+16125550177"
        try await fixture.db.upsert(organizations: changed, now: fixture.now + 1)
        let directory = try await fixture.db.loadDirectory()
        #expect(directory.sender(org: "acme", named: "alice")?.number == "+16125550177")
        #expect(directory.sender(number: StoreFixture.alice) == nil)
        #expect(try await fixture.count("SELECT COUNT(*) FROM phone_number WHERE e164 = ? AND status = 'released'", [StoreFixture.alice]) == 1)
        #expect(try await fixture.count("SELECT COUNT(*) FROM phone_number WHERE status = 'active'") == 3)
    }

    @Test(arguments: Backend.allCases) func aNumberMovedToAnotherUserLeavesTheFormerOwner(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        var changed = StoreFixture.organizations
        changed[0].senders[1].number = StoreFixture.alice // carol takes alice's number
        changed[0].senders.removeFirst()
        try await fixture.db.upsert(organizations: changed, now: fixture.now + 1)
        let directory = try await fixture.db.loadDirectory()
        #expect(directory.sender(number: StoreFixture.alice)?.userID == "carol")
        #expect(directory.sender(org: "acme", named: "alice") == nil)
        #expect(try await fixture.count("SELECT COUNT(*) FROM phone_number WHERE e164 = ? AND status = 'active'", [StoreFixture.alice]) == 1)
    }
}
