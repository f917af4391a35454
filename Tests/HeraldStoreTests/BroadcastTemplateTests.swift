import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Testing

@Suite("Store: broadcasts with a template")
struct BroadcastTemplateTests {
    private func produce(_ fixture: StoreFixture, template: String, variables: String?) async throws -> Int64 {
        try await fixture.insert("""
            INSERT INTO outbox (org, sender, to_group, template, variables, kind) VALUES ('acme', 'alice', 'members', ?, ?, 'bulk')
            """, [template, variables])
    }

    @Test(arguments: Backend.allCases) func eachMemberGetsTheTemplateFilledWithItsOwnContactRecord(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        try await fixture.contact("ana", numbers: [StoreFixture.contact], preferred: StoreFixture.contact)
        let nameless = try await fixture.contact("nameless", numbers: ["+16125550131"], preferred: "+16125550131")
        try await fixture.optIn("+16125550131")
        try await fixture.execute("UPDATE contact SET first_name = NULL WHERE id = ?", [nameless])
        try await fixture.group("members", members: ["ana", "nameless"])
        _ = try await fixture.db.setTemplate(org: "acme", name: "sale", text: "Hi {first_name}, {day} sale at {org_name}", actor: "test", now: fixture.now)

        let id = try await produce(fixture, template: "sale", variables: #"{"day":"Friday"}"#)
        #expect(try await fixture.ingest().broadcasts == [id])
        try await fixture.fanOutAll(limit: 10)
        let rows = try await fixture.rows("SELECT to_number, state, body, reason, detail FROM messages WHERE broadcast_id = ? ORDER BY id", [id])
        #expect(rows.count == 2)
        #expect(rows[0]["body"] as String == "Hi ana, Friday sale at Acme")
        #expect(rows[0]["state"] as String == "queued")
        #expect(rows[1]["reason"] as String? == "template_variable_missing")
        #expect((rows[1]["detail"] as String?)?.contains("{first_name}") == true)
    }

    @Test(arguments: Backend.allCases) func aTemplateTheOrganizationDoesNotHaveRefusesTheBroadcast(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        try await fixture.contact("ana", numbers: [StoreFixture.contact], preferred: StoreFixture.contact)
        try await fixture.group("members", members: ["ana"])
        let id = try await produce(fixture, template: "nope", variables: nil)
        let report = try await fixture.ingest()
        #expect(report.rejected.map(\.reason.code) == ["unknown_template"])
        #expect(try await fixture.db.message(id)?.state == .rejected)
    }
}
