import Foundation
import GRDB
import HeraldCore

/// Broadcasts (docs/states.md#message-kinds, kind `bulk`): an outbox row addressed to a contact group is accepted as a
/// `broadcast` row, then fanned out a batch of members per transaction.
enum Broadcasts {
    /// Records the broadcast for an outbox row with `to_group`, or says why it is refused.
    static func accept(
        _ row: OutboxSubmission, group: String, directory: Directory, rules: IngestRules, now: Date, in db: Database
    ) throws -> Result<Void, RejectionReason> {
        let broadcast: BroadcastSubmission
        switch rules.evaluateBroadcast(row, group: group, directory: directory, now: now) {
        case let .success(accepted): broadcast = accepted
        case let .failure(reason): return .failure(reason)
        }
        guard let groupID = try Int64.fetchOne(db, sql: "SELECT id FROM contact_group WHERE org_id = ? AND name = ?",
                                               arguments: [broadcast.orgID, broadcast.group]) else {
            return .failure(.unknownGroup(org: broadcast.orgID, group: broadcast.group))
        }
        let key = row.idempotencyKey.flatMap { $0.isEmpty ? nil : $0 }
        if let key, let existing = try Int64.fetchOne(db, sql: "SELECT id FROM broadcast WHERE org_id = ? AND idempotency_key = ?",
                                                      arguments: [broadcast.orgID, key]) {
            return .failure(.duplicateIdempotencyKey(key: key, existingMessage: existing))
        }
        let at = now.millis
        try db.execute(sql: """
            INSERT INTO broadcast (id, org_id, user_id, sender, group_id, group_name, body, template, variables, kind, send_at, expires_at,
                external_ref, idempotency_key, state, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'bulk', ?, ?, ?, ?, 'fanning_out', ?, ?)
            """, arguments: [row.id, broadcast.orgID, broadcast.userID, broadcast.sender, groupID, broadcast.group, broadcast.body,
                             broadcast.body == nil ? row.template?.trimmingCharacters(in: .whitespaces) : nil,
                             broadcast.body == nil ? row.variables : nil, row.sendAt, row.expiresAt, row.externalRef, key, at, at])
        return .success(())
    }

    /// One batch of the oldest broadcast still fanning out: the next `limit` members after the
    /// cursor, in contact id order, each judged as its own outbox row would be. The messages, their
    /// events and the advanced cursor commit together.
    static func fanOut(limit: Int, now: Date, directory: Directory, rules: IngestRules, in db: Database) throws -> FanOutReport? {
        guard let broadcast = try Row.fetchOne(db, sql: """
            SELECT id, org_id, sender, group_id, body, kind, send_at, expires_at, external_ref, cursor, template, variables
            FROM broadcast WHERE state = 'fanning_out' ORDER BY id LIMIT 1
            """) else { return nil }
        let broadcastID: Int64 = broadcast["id"]
        let orgID: String = broadcast["org_id"]
        let cursor: Int64 = broadcast["cursor"]
        // The preferred number comes from the contact's own rows: a member added by one number
        // is texted at whichever number is preferred when the broadcast goes.
        let members = try Row.fetchAll(db, sql: """
            SELECT m.contact_id, c.external_id, n.number
            FROM contact_group_member m
            JOIN contact c ON c.id = m.contact_id
            LEFT JOIN contact_number n ON n.contact_id = m.contact_id AND n.preferred_sms = 1
            WHERE m.group_id = ? AND m.contact_id > ?
            ORDER BY m.contact_id LIMIT ?
            """, arguments: [broadcast["group_id"] as Int64, cursor, limit])
        var intake = try MessageIntake(db, now: now, directory: directory, rules: rules)
        var lastContact = cursor
        if !members.isEmpty {
            var id = try MessageIDs.reserve(members.count, db)
            for member in members {
                let contactID: Int64 = member[0]
                let number: String? = member[2]
                let submission = OutboxSubmission(
                    id: id, org: orgID, sender: broadcast["sender"], toNumber: number, body: broadcast["body"],
                    kind: broadcast["kind"], sendAt: broadcast["send_at"], expiresAt: broadcast["expires_at"],
                    externalRef: broadcast["external_ref"], template: broadcast["template"], variables: broadcast["variables"]
                )
                let externalID: String? = member[1]
                let contact = externalID.map { "\(contactID) (\($0))" } ?? "\(contactID)"
                try intake.take(submission, broadcastID: broadcastID, refusal: number == nil ? .noPreferredNumber(contact: contact) : nil)
                lastContact = contactID
                id += 1
            }
        }
        let finished = members.count < limit
        let report = intake.report
        try db.execute(sql: """
            UPDATE broadcast SET cursor = ?, members = members + ?, accepted = accepted + ?, rejected = rejected + ?,
                updated_at = ?, state = CASE WHEN ? THEN 'done' ELSE state END, finished_at = CASE WHEN ? THEN ? END
            WHERE id = ?
            """, arguments: [lastContact, members.count, members.count - report.rejected.count, report.rejected.count,
                             now.millis, finished, finished, now.millis, broadcastID])
        return FanOutReport(broadcastID: broadcastID, orgID: orgID, members: members.count, messages: report, finished: finished)
    }
}

extension QueueDatabase {
    /// Fans out the next batch of the oldest open broadcast; nil when none is open.
    public func fanOutBroadcast(limit: Int, now: Date, directory: Directory, rules: IngestRules) async throws -> FanOutReport? {
        try await timedWrite { db in try Broadcasts.fanOut(limit: limit, now: now, directory: directory, rules: rules, in: db) }
    }

    /// Whether any broadcast still has members to fan out; a partial-index lookup.
    public func hasOpenBroadcast() async throws -> Bool {
        try await pool.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM broadcast WHERE state = 'fanning_out')") ?? false }
    }
}
