import Foundation
import GRDB

extension QueueDatabase {
    /// - Parameter actor: who asks, recorded in `admin_changes` with the change; nil records nothing.
    public func createGroup(org: String, name: String, actor: String? = nil, now: Date) async throws -> ContactGroupSummary {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= ContactGroups.maxNameLength else { throw ContactGroupError.badName(name) }
        return try await timedWrite { db in
            if try Self.groupID(org: org, name: name, db) != nil { throw ContactGroupError.exists(org: org, name: name) }
            try db.execute(sql: "INSERT INTO contact_group (org_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
                           arguments: [org, name, now.millis, now.millis])
            let id = db.lastInsertedRowID
            if let actor { try AdminChangeLog.append(actor: actor, command: "group_create", org: org, target: name, detail: "", at: now.millis, in: db) }
            return ContactGroupSummary(id: id, org: org, name: name, members: 0, createdAt: Date(millis: now.millis))
        }
    }

    public func groups(org: String?) async throws -> [ContactGroupSummary] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT g.id, g.org_id, g.name, g.created_at,
                    (SELECT COUNT(*) FROM contact_group_member m WHERE m.group_id = g.id) AS members
                FROM contact_group g WHERE ?1 IS NULL OR g.org_id = ?1 ORDER BY g.org_id, g.name
                """, arguments: [org]).map(Self.summary)
        }
    }

    /// The group and its first `limit` members in contact id order.
    public func group(org: String, name: String, limit: Int) async throws -> (ContactGroupSummary, [ContactGroupMember]) {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT g.id, g.org_id, g.name, g.created_at,
                    (SELECT COUNT(*) FROM contact_group_member m WHERE m.group_id = g.id) AS members
                FROM contact_group g WHERE g.org_id = ? AND g.name = ?
                """, arguments: [org, name]) else { throw ContactGroupError.unknown(org: org, name: name) }
            let summary = Self.summary(row)
            let members = try Row.fetchAll(db, sql: """
                SELECT c.id, c.external_id, trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')) AS name, n.number
                FROM contact_group_member m JOIN contact c ON c.id = m.contact_id
                LEFT JOIN contact_number n ON n.contact_id = m.contact_id AND n.preferred_sms = 1
                WHERE m.group_id = ? ORDER BY m.contact_id LIMIT ?
                """, arguments: [summary.id, limit]).map { row in
                let name: String? = row["name"]
                return ContactGroupMember(contactID: row["id"], externalID: row["external_id"], name: name?.isEmpty == false ? name : nil,
                                          preferredNumber: row["number"])
            }
            return (summary, members)
        }
    }

    /// Adds (or with `remove`, removes) the named contacts in one transaction. Numbers must be E.164.
    public func changeMembers(
        org: String, name: String, _ refs: [GroupMemberRef], remove: Bool, actor: String? = nil, now: Date
    ) async throws -> GroupMembershipChange {
        try await timedWrite { db in
            guard let groupID = try Self.groupID(org: org, name: name, db) else { throw ContactGroupError.unknown(org: org, name: name) }
            if remove, let open = try Self.openBroadcast(groupID: groupID, db) {
                throw ContactGroupError.broadcastInProgress(name: name, broadcastID: open)
            }
            let byNumber = try db.cachedStatement(sql: "SELECT contact_id FROM contact_number WHERE org_id = ? AND number = ?")
            let byExternal = try db.cachedStatement(sql: "SELECT id FROM contact WHERE org_id = ? AND external_id = ?")
            let change = try db.cachedStatement(sql: remove
                ? "DELETE FROM contact_group_member WHERE group_id = ?1 AND contact_id = ?2"
                : "INSERT INTO contact_group_member (group_id, contact_id, added_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")
            var result = GroupMembershipChange()
            for ref in refs {
                let contact: Int64?
                switch ref {
                case let .number(number): contact = try Int64.fetchOne(byNumber, arguments: [org, number])
                case let .externalID(id): contact = try Int64.fetchOne(byExternal, arguments: [org, id])
                }
                guard let contact else {
                    result.unknown.append(ref)
                    continue
                }
                try change.execute(arguments: remove ? [groupID, contact] : [groupID, contact, now.millis])
                if db.changesCount > 0 { result.changed += 1 } else { result.unchanged += 1 }
            }
            try db.execute(sql: "UPDATE contact_group SET updated_at = ? WHERE id = ?", arguments: [now.millis, groupID])
            if let actor, result.changed > 0 {
                try AdminChangeLog.append(actor: actor, command: remove ? "group_remove" : "group_add", org: org, target: name,
                                          detail: "\(result.changed) members \(remove ? "removed" : "added")", at: now.millis, in: db)
            }
            return result
        }
    }

    /// Deletes the group and its memberships; broadcasts already made keep their messages.
    /// Returns how many members it had.
    public func deleteGroup(org: String, name: String, actor: String? = nil, now: Date = Date()) async throws -> Int {
        try await timedWrite { db in
            guard let groupID = try Self.groupID(org: org, name: name, db) else { throw ContactGroupError.unknown(org: org, name: name) }
            if let open = try Self.openBroadcast(groupID: groupID, db) {
                throw ContactGroupError.broadcastInProgress(name: name, broadcastID: open)
            }
            try db.execute(sql: "DELETE FROM contact_group_member WHERE group_id = ?", arguments: [groupID])
            let members = db.changesCount
            try db.execute(sql: "DELETE FROM contact_group WHERE id = ?", arguments: [groupID])
            if let actor {
                try AdminChangeLog.append(actor: actor, command: "group_delete", org: org, target: name, detail: "\(members) members", at: now.millis, in: db)
            }
            return members
        }
    }

    private static func groupID(org: String, name: String, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM contact_group WHERE org_id = ? AND name = ?", arguments: [org, name])
    }

    private static func openBroadcast(groupID: Int64, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM broadcast WHERE state = 'fanning_out' AND group_id = ? LIMIT 1", arguments: [groupID])
    }

    private static func summary(_ row: Row) -> ContactGroupSummary {
        ContactGroupSummary(id: row["id"], org: row["org_id"], name: row["name"], members: row["members"],
                            createdAt: Date(millis: row["created_at"]))
    }
}
