import Foundation
import HeraldCore
import Testing

@Suite("Broadcast rules")
struct BroadcastRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000) // 2027-01-15T08:00:00Z
    let rules = IngestRules()
    let directory = Directory(
        organizations: [OrganizationProfile(id: "acme", name: "Acme", timeZone: "America/Chicago")],
        senders: [SenderProfile(orgID: "acme", userID: "alice", number: "+16125550100", rate: 1)]
    )

    private func code(
        org: String? = "acme", sender: String? = "alice", to: String? = nil, group: String = "vip", body: String? = "Sale",
        kind: String? = "bulk", sendAt: String? = nil, expiresAt: String? = nil
    ) -> String {
        let row = OutboxSubmission(id: 9, org: org, sender: sender, toNumber: to, body: body, kind: kind, sendAt: sendAt, expiresAt: expiresAt)
        switch rules.evaluateBroadcast(row, group: group, directory: directory, now: now) {
        case .success: return "ok"
        case let .failure(reason): return reason.code
        }
    }

    @Test func acceptsABulkRowToAGroupByUserOrNumber() throws {
        #expect(code() == "ok")
        #expect(code(sender: "+16125550100", kind: " BULK ") == "ok")
        let row = OutboxSubmission(id: 9, org: "acme", sender: "+16125550100", toNumber: "", body: "Sale", kind: "bulk")
        let accepted = try rules.evaluateBroadcast(row, group: " vip ", directory: directory, now: now).get()
        #expect(accepted == BroadcastSubmission(orgID: "acme", userID: "alice", sender: "+16125550100", group: "vip", body: "Sale"))
    }

    @Test func refusesWhatWouldRefuseEveryMember() {
        #expect(code(kind: nil) == "group_needs_bulk")
        #expect(code(kind: "journey") == "group_needs_bulk")
        #expect(code(to: "6125550123") == "number_and_group")
        #expect(code(group: "  ") == "missing_field")
        #expect(code(org: "initech") == "unknown_org")
        #expect(code(sender: "mallory") == "unknown_sender")
        #expect(code(body: " ") == "empty_body")
        #expect(code(body: String(repeating: "a", count: 1601)) == "body_too_long")
        #expect(code(sendAt: "tomorrow") == "bad_timestamp")
        #expect(code(expiresAt: "2027-01-15T07:00:00Z") == "expired")
    }

    @Test func reasonsSayWhatToDo() {
        #expect(RejectionReason.unknownGroup(org: "acme", group: "vip").description.contains("heraldctl group create acme vip"))
        #expect(RejectionReason.groupNeedsBulk(kind: "journey").description.contains("must be kind bulk"))
        #expect(RejectionReason.noPreferredNumber(contact: "12 (crm-7)").description.contains("contact 12 (crm-7) has no preferred SMS number"))
    }
}
