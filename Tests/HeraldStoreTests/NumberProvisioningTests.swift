import Foundation
import GRDB
import HeraldCore
@testable import HeraldStore
import Testing

@Suite("Number provisioning")
struct NumberProvisioningTests {
    static let dave = "+16125550150"

    /// A user as `heraldctl user add` would make one: no number yet.
    private func addUser(_ id: String, cell: String?, to fixture: StoreFixture) async throws {
        _ = try await fixture.db.addUser(org: "acme", id: id, settings: UserSettings(name: id.capitalized, cellPhone: cell),
                                         actor: "test", now: fixture.now)
    }

    @Test("a bought number becomes the user's only number and a sender; a second number or one active elsewhere is refused", arguments: Backend.allCases)
    func record(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        try await addUser("dave", cell: "+16125550177", to: fixture)
        try await addUser("erin", cell: nil, to: fixture)
        let db = fixture.db

        #expect(try await db.recordProvisioned(org: "acme", user: "dave", number: Self.dave, carrierSID: "PN1", by: "root (uid 0)", now: fixture.now) == .recorded)
        let dave = try #require(try await db.userNumbers(org: "acme", ids: ["dave"]).first)
        #expect(dave.cellPhone == "+16125550177")
        #expect(dave.number == ActiveNumber(e164: Self.dave, carrierSID: "PN1", provisionedAt: fixture.now))
        #expect(try await db.loadDirectory().sender(org: "acme", named: "dave")?.number == Self.dave)

        #expect(try await db.recordProvisioned(org: "acme", user: "dave", number: "+16125550151", carrierSID: "PN2", by: "root (uid 0)", now: fixture.now)
            == .userHasNumber(Self.dave))
        #expect(try await db.recordProvisioned(org: "acme", user: "erin", number: Self.dave, carrierSID: "PN3", by: "root (uid 0)", now: fixture.now)
            == .numberTaken(org: "acme", user: "dave"))
        #expect(try await db.recordProvisioned(org: "acme", user: "nobody", number: "+16125550152", carrierSID: "PN4", by: "root (uid 0)", now: fixture.now)
            == .unknownUser)
        #expect(try await fixture.count("SELECT COUNT(*) FROM phone_number WHERE status = 'active' AND carrier_sid IS NOT NULL") == 1)
        #expect(try await fixture.count("SELECT COUNT(*) FROM admin_changes WHERE command = 'numbers_provision' AND target = 'dave' AND actor = 'root (uid 0)'") == 1,
                "only the change that happened is logged")

        let all = try await db.userNumbers(org: "acme")
        #expect(all.map(\.user) == ["alice", "carol", "dave", "erin"])
        #expect(all.first { $0.user == "alice" }?.number?.carrierSID == nil, "a configured number has no sid")
        #expect(all.first { $0.user == "erin" }?.number == nil)
    }

    @Test("release detaches the number and holds every text Herald still holds as sender_released, one event each", arguments: Backend.allCases)
    func release(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        try await addUser("dave", cell: "+16125550177", to: fixture)
        let db = fixture.db
        #expect(try await db.recordProvisioned(org: "acme", user: "dave", number: Self.dave, carrierSID: "PN1", by: "root (uid 0)", now: fixture.now) == .recorded)

        let posted = try await fixture.queued(kind: "conversational", sender: "dave")
        #expect(try await fixture.claimAll().map(\.id) == [posted])
        let due = try await fixture.queued(kind: "conversational", sender: "dave")
        let later = try await fixture.produce(sender: "dave", kind: "conversational", sendAt: "2027-01-16T12:00:00Z")
        let expiring = try await fixture.produce(sender: "dave", kind: "conversational", sendAt: "2027-01-15T08:10:00Z",
                                                 expiresAt: "2027-01-15T08:30:00Z")
        let alices = try await fixture.produce(sender: "alice", kind: "conversational")
        try await fixture.ingest()
        #expect(try await fixture.state(later) == .scheduled)
        #expect(try await db.pendingCount(from: Self.dave) == 3)

        let recheck = fixture.now + 3600
        let released = try await db.recordReleased(org: "acme", user: "dave", by: "root (uid 0)", now: fixture.now, recheck: recheck)
        #expect(released == .released(number: Self.dave, held: [due, later, expiring]))

        let row = try #require(try await fixture.row("SELECT status, released_at FROM phone_number WHERE e164 = ?", [Self.dave]))
        #expect(row["status"] as String == "released")
        #expect(row["released_at"] as Int64 == fixture.now.unixMillis)
        #expect(try await fixture.count("SELECT COUNT(*) FROM admin_changes WHERE command = 'numbers_release' AND detail LIKE '+16125550150; 3 %'") == 1)
        for id in [due, later, expiring] {
            let message = try #require(try await db.message(id))
            #expect(message.state == .scheduled)
            #expect(message.heldReason == .senderReleased)
            let last = try #require(try await db.events(of: id).last)
            #expect(last.to == .scheduled && last.reason == "sender_released")
            #expect(last.detail?.contains("sender \(Self.dave) released by root (uid 0)") == true)
        }
        #expect(try await db.events(of: later).count == 2, "one event for ingest, one for the release")
        #expect(try await db.message(due)?.notBefore == recheck)
        #expect(try await db.message(expiring)?.notBefore == Date(timeIntervalSince1970: 1_800_001_800),
                "looked at again when it expires, not an hour later")
        #expect(try await fixture.state(posted) == .sending, "a posted text is left to the carrier's answer")
        #expect(try await db.message(alices)?.heldReason == nil)
        #expect(try await db.loadDirectory().sender(org: "acme", named: "dave") == nil)
        #expect(try await db.userNumbers(org: "acme", ids: ["dave"]).first?.number == nil)

        #expect(try await db.recordReleased(org: "acme", user: "dave", by: "root (uid 0)", now: fixture.now, recheck: recheck) == .noActiveNumber)
        #expect(try await db.resumeSenderReleased(from: Self.dave, now: fixture.now) == 3)
        #expect(try await db.message(due)?.notBefore == fixture.now)
    }
}
