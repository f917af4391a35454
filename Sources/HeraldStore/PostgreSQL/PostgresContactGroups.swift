import Foundation
import PostgresNIO

/// Contact groups, the audiences of broadcasts (SQLite's ContactGroups.swift).
extension PostgresQueue {
    /// - Parameter actor: who asks, recorded in `admin_changes` with the change; nil records nothing.
    public func createGroup(org: String, name: String, actor: String? = nil, now: Date) async throws -> ContactGroupSummary {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= ContactGroups.maxNameLength else { throw ContactGroupError.badName(name) }
        return try await write { session in
            if try await Self.groupID(org: org, name: name, session) != nil { throw ContactGroupError.exists(org: org, name: name) }
            let id = try await session.value("""
                INSERT INTO contact_group (org_id, name, created_at, updated_at) VALUES (\(org), \(name), \(now.millis), \(now.millis)) RETURNING id
                """, as: Int64.self) ?? 0
            if let actor {
                try await PostgresAdminChangeLog.append(actor: actor, command: "group_create", org: org, target: name, detail: "",
                                                        at: now.millis, in: session)
            }
            return ContactGroupSummary(id: id, org: org, name: name, members: 0, createdAt: Date(millis: now.millis))
        }
    }

    public func groups(org: String?) async throws -> [ContactGroupSummary] {
        try await read { session in
            try await session.rows("""
                SELECT g.id, g.org_id, g.name, g.created_at, (SELECT COUNT(*) FROM contact_group_member m WHERE m.group_id = g.id)
                FROM contact_group g WHERE \(org)::text IS NULL OR g.org_id = \(org) ORDER BY g.org_id, g.name
                """).map(Self.summary)
        }
    }

    /// The group and its first `limit` members in contact id order.
    public func group(org: String, name: String, limit: Int) async throws -> (ContactGroupSummary, [ContactGroupMember]) {
        let (summary, members) = try await read { session in
            guard let row = try await session.rows("""
                SELECT g.id, g.org_id, g.name, g.created_at, (SELECT COUNT(*) FROM contact_group_member m WHERE m.group_id = g.id)
                FROM contact_group g WHERE g.org_id = \(org) AND g.name = \(name)
                """).first else { throw ContactGroupError.unknown(org: org, name: name) }
            let summary = try Self.summary(row)
            let members = try await session.rows("""
                SELECT c.id, c.external_id, trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')), n.number
                FROM contact_group_member m JOIN contact c ON c.id = m.contact_id
                LEFT JOIN contact_number n ON n.contact_id = m.contact_id AND n.preferred_sms = 1
                WHERE m.group_id = \(summary.id) ORDER BY m.contact_id LIMIT \(limit)
                """).map { row in
                let (id, external, name, number) = try row.decode((Int64, String?, String, String?).self)
                return ContactGroupMember(contactID: id, externalID: external, name: name.isEmpty ? nil : name, preferredNumber: number)
            }
            return (summary, members)
        }
        return (summary, members)
    }

    /// Adds (or with `remove`, removes) the named contacts in one transaction. Numbers must be E.164.
    public func changeMembers(
        org: String, name: String, _ refs: [GroupMemberRef], remove: Bool, actor: String? = nil, now: Date
    ) async throws -> GroupMembershipChange {
        try await write { session in
            guard let groupID = try await Self.groupID(org: org, name: name, session) else { throw ContactGroupError.unknown(org: org, name: name) }
            if remove, let open = try await Self.openBroadcast(groupID: groupID, session) {
                throw ContactGroupError.broadcastInProgress(name: name, broadcastID: open)
            }
            var result = GroupMembershipChange()
            for ref in refs {
                let contact: Int64?
                switch ref {
                case let .number(number):
                    contact = try await session.value("SELECT contact_id FROM contact_number WHERE org_id = \(org) AND number = \(number)", as: Int64.self)
                case let .externalID(id):
                    contact = try await session.value("SELECT id FROM contact WHERE org_id = \(org) AND external_id = \(id)", as: Int64.self)
                }
                guard let contact else {
                    result.unknown.append(ref)
                    continue
                }
                let changed = remove
                    ? try await session.changes("DELETE FROM contact_group_member WHERE group_id = \(groupID) AND contact_id = \(contact) RETURNING 1")
                    : try await session.changes("""
                        INSERT INTO contact_group_member (group_id, contact_id, added_at) VALUES (\(groupID), \(contact), \(now.millis))
                        ON CONFLICT DO NOTHING RETURNING 1
                        """)
                if changed > 0 { result.changed += 1 } else { result.unchanged += 1 }
            }
            try await session.execute("UPDATE contact_group SET updated_at = \(now.millis) WHERE id = \(groupID)")
            if let actor, result.changed > 0 {
                try await PostgresAdminChangeLog.append(actor: actor, command: remove ? "group_remove" : "group_add", org: org, target: name,
                                                        detail: "\(result.changed) members \(remove ? "removed" : "added")", at: now.millis, in: session)
            }
            return result
        }
    }

    /// Deletes the group and its memberships; broadcasts already made keep their messages.
    public func deleteGroup(org: String, name: String, actor: String? = nil, now: Date = Date()) async throws -> Int {
        try await write { session in
            guard let groupID = try await Self.groupID(org: org, name: name, session) else { throw ContactGroupError.unknown(org: org, name: name) }
            if let open = try await Self.openBroadcast(groupID: groupID, session) {
                throw ContactGroupError.broadcastInProgress(name: name, broadcastID: open)
            }
            let members = try await session.changes("DELETE FROM contact_group_member WHERE group_id = \(groupID) RETURNING 1")
            try await session.execute("DELETE FROM contact_group WHERE id = \(groupID)")
            if let actor {
                try await PostgresAdminChangeLog.append(actor: actor, command: "group_delete", org: org, target: name,
                                                        detail: "\(members) members", at: now.millis, in: session)
            }
            return members
        }
    }

    private static func groupID(org: String, name: String, _ session: PostgresSession) async throws -> Int64? {
        try await session.value("SELECT id FROM contact_group WHERE org_id = \(org) AND name = \(name)", as: Int64.self)
    }

    private static func openBroadcast(groupID: Int64, _ session: PostgresSession) async throws -> Int64? {
        try await session.value("SELECT id FROM broadcast WHERE state = 'fanning_out' AND group_id = \(groupID) LIMIT 1", as: Int64.self)
    }

    private static func summary(_ row: PostgresRow) throws -> ContactGroupSummary {
        let (id, org, name, created, members) = try row.decode((Int64, String, String, Int64, Int).self)
        return ContactGroupSummary(id: id, org: org, name: name, members: members, createdAt: Date(millis: created))
    }
}

extension PostgresQueue {
    /// The broadcast, its messages counted by (state, reason), and its first `limit` recipients.
    public func broadcast(_ id: Int64, state: String?, limit: Int) async throws -> (BroadcastRecord, [BroadcastTally], [BroadcastRecipient])? {
        let found: Found? = try await read { session in
            guard let row = try await session.rows("""
                SELECT id, org_id, sender, group_name, body, state, members, accepted, rejected, created_at, finished_at
                FROM broadcast WHERE id = \(id)
                """).first else { return nil }
            let (bid, org, sender, group, body, bstate, members, accepted, rejected, created, finished) = try row.decode(
                (Int64, String, String, String, String?, String, Int, Int, Int, Int64, Int64?).self)
            let record = BroadcastRecord(id: bid, org: org, sender: sender, group: group, body: body ?? "", state: bstate, members: members,
                                         accepted: accepted, rejected: rejected, createdAt: Date(millis: created),
                                         finishedAt: finished.map(Date.init(millis:)))
            let tallies = try await session.rows("""
                SELECT state, reason, COUNT(*) AS n FROM message WHERE broadcast_id = \(id)
                GROUP BY state, reason ORDER BY n DESC, state, reason
                """).map { row in
                let (state, reason, count) = try row.decode((String, String?, Int).self)
                return BroadcastTally(state: state, reason: reason, count: count)
            }
            let recipients = try await session.rows("""
                SELECT id, to_number, state, reason, detail FROM message
                WHERE broadcast_id = \(id) AND (\(state)::text IS NULL OR state = \(state)) ORDER BY id LIMIT \(limit)
                """).map { row in
                let (message, to, state, reason, detail) = try row.decode((Int64, String?, String, String?, String?).self)
                return BroadcastRecipient(messageID: message, to: to, state: state, reason: reason, detail: detail)
            }
            return Found(record: record, tallies: tallies, recipients: recipients)
        }
        return found.map { ($0.record, $0.tallies, $0.recipients) }
    }

    private struct Found: Sendable {
        var record: BroadcastRecord
        var tallies: [BroadcastTally]
        var recipients: [BroadcastRecipient]
    }
}
