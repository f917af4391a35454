import Foundation
import HeraldCore
import Testing

@Suite("Ingest with per-organization smart encoding")
struct SmartEncodingIngestTests {
    // 2027-01-15T16:00:00Z: 10:00 in Chicago, inside every default window.
    let now = Date(timeIntervalSince1970: 1_800_028_800)

    func directory(smart: Bool) -> Directory {
        Directory(
            organizations: [OrganizationProfile(id: "acme", name: "Acme", timeZone: "America/Chicago", smartEncoding: smart)],
            senders: [SenderProfile(orgID: "acme", userID: "alice", number: "+16125550100", rate: 1)]
        )
    }

    func ingest(_ body: String, smart: Bool) throws -> ValidatedSubmission {
        let row = OutboxSubmission(id: 1, org: "acme", sender: "alice", toNumber: "+16125550123", body: body, kind: "conversational")
        return try IngestRules().evaluate(row, directory: directory(smart: smart), now: now).get()
    }

    @Test("off by default: a curly apostrophe makes the text UCS-2 and it is sent as written")
    func offKeepsTheBody() throws {
        let message = try ingest("It’s ready — see you at 5", smart: false)
        #expect(message.encoding == .ucs2)
        #expect(message.body == "It’s ready — see you at 5")
    }

    @Test("on: look-alikes become GSM-7, the rewritten body is what is counted and sent")
    func onRewritesTheBody() throws {
        let long = String(repeating: "It’s “fine” — ", count: 6)
        let plain = try ingest(long, smart: false)
        let smart = try ingest(long, smart: true)
        #expect(smart.encoding == .gsm7)
        #expect(smart.body == String(repeating: "It's \"fine\" - ", count: 6))
        #expect(smart.segments < plain.segments)
    }
}
