import Foundation
import GRDB
import HeraldCore
import HeraldStore

/// Contacts, groups and broadcasts written the way the product writes them, for broadcast tests.
extension StoreFixture {
    /// A contact of `org` with `numbers` (the first `preferred`, unless nil); returns its id.
    @discardableResult
    func contact(_ externalID: String, numbers: [String], preferred: String?, org: String = "acme") async throws -> Int64 {
        let id = try await insert("INSERT INTO contact (org_id, external_id, first_name, created_at, updated_at) VALUES (?, ?, ?, 0, 0)",
                                  [org, externalID, externalID])
        for number in numbers {
            try await execute("INSERT INTO contact_number (org_id, number, contact_id, label, preferred_sms) VALUES (?, ?, ?, 'mobile', ?)",
                              [org, number, id, number == preferred])
        }
        return id
    }

    func optOut(_ number: String, org: String = "acme") async throws {
        try await execute("""
            INSERT INTO consent_ledger (org_id, number, at, old_state, new_state, consent_type, changed_by)
            VALUES (?, ?, 0, 'unknown', 'opted_out', 'api', 'store-fixture')
            """, [org, number])
    }

    /// A group of the contacts with these external ids, through the store calls heraldctl uses.
    func group(_ name: String, members: [String], org: String = "acme") async throws {
        _ = try await db.createGroup(org: org, name: name, now: now)
        let change = try await db.changeMembers(org: org, name: name, members.map { .externalID($0) }, remove: false, now: now)
        precondition(change.changed == members.count, "\(change)")
    }

    /// A producer's broadcast: one outbox row addressed to a group.
    @discardableResult
    func produceBroadcast(
        group: String?, org: String? = "acme", sender: String? = "alice", to: String? = nil, body: String? = "Sale today",
        kind: String? = "bulk", sendAt: String? = nil, key: String? = nil
    ) async throws -> Int64 {
        try await insert("""
            INSERT INTO outbox (org, sender, to_number, to_group, body, kind, send_at, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [org, sender, to, group, body, kind, sendAt, key])
    }

    /// Fans out every open broadcast, `limit` members per batch; returns the batch reports.
    @discardableResult
    func fanOutAll(limit: Int, rules: IngestRules = IngestRules(windows: nil), at time: Date? = nil) async throws -> [FanOutReport] {
        let directory = try await db.loadDirectory()
        var reports: [FanOutReport] = []
        while let report = try await db.fanOutBroadcast(limit: limit, now: time ?? now, directory: directory, rules: rules) {
            reports.append(report)
        }
        return reports
    }
}
