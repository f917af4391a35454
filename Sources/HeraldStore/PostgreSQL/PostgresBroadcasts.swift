import Foundation
import HeraldCore
import PostgresNIO

/// Broadcasts (docs/states.md#message-kinds, kind `bulk`), as `Broadcasts` does for SQLite: an
/// outbox row addressed to a contact group is accepted as a `broadcast` row, then fanned out a
/// batch of members per transaction, each member judged as its own outbox row would be.
enum PostgresBroadcasts {
    static func accept(
        _ row: OutboxSubmission, group: String, directory: Directory, rules: IngestRules, now: Date, in session: PostgresSession
    ) async throws -> Result<Void, RejectionReason> {
        let broadcast: BroadcastSubmission
        switch rules.evaluateBroadcast(row, group: group, directory: directory, now: now) {
        case let .success(accepted): broadcast = accepted
        case let .failure(reason): return .failure(reason)
        }
        guard let groupID = try await session.value(
            "SELECT id FROM contact_group WHERE org_id = \(broadcast.orgID) AND name = \(broadcast.group)", as: Int64.self) else {
            return .failure(.unknownGroup(org: broadcast.orgID, group: broadcast.group))
        }
        let key = row.idempotencyKey.flatMap { $0.isEmpty ? nil : $0 }
        if let key, let existing = try await session.value(
            "SELECT id FROM broadcast WHERE org_id = \(broadcast.orgID) AND idempotency_key = \(key)", as: Int64.self) {
            return .failure(.duplicateIdempotencyKey(key: key, existingMessage: existing))
        }
        let at = now.millis
        let template = broadcast.body == nil ? row.template?.trimmingCharacters(in: .whitespaces) : nil
        let variables = broadcast.body == nil ? row.variables : nil
        try await session.execute("""
            INSERT INTO broadcast (id, org_id, user_id, sender, group_id, group_name, body, template, variables, kind, send_at, expires_at,
                external_ref, idempotency_key, state, created_at, updated_at)
            VALUES (\(row.id), \(broadcast.orgID), \(broadcast.userID), \(broadcast.sender), \(groupID), \(broadcast.group), \(broadcast.body),
                \(template), \(variables), 'bulk', \(row.sendAt), \(row.expiresAt), \(row.externalRef), \(key), 'fanning_out', \(at), \(at))
            """)
        return .success(())
    }

    /// One batch of the oldest broadcast still fanning out; its messages, their events and the
    /// advanced cursor commit together. The broadcast row is locked (SKIP LOCKED) for the batch,
    /// so two instances never fan out the same members.
    static func fanOut(limit: Int, now: Date, directory: Directory, rules: IngestRules, in session: PostgresSession) async throws -> FanOutReport? {
        guard let broadcast = try await session.rows("""
            SELECT id, org_id, sender, group_id, body, kind, send_at, expires_at, external_ref, cursor, template, variables
            FROM broadcast WHERE state = 'fanning_out' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
            """).first else { return nil }
        let (broadcastID, orgID, sender, groupID, body, kind, sendAt, expiresAt, externalRef, cursor, template, variables) = try broadcast.decode(
            (Int64, String, String, Int64, String?, String, String?, String?, String?, Int64, String?, String?).self)
        // The preferred number comes from the contact's own rows, as the broadcast goes.
        let members = try await session.rows("""
            SELECT m.contact_id, c.external_id, n.number
            FROM contact_group_member m
            JOIN contact c ON c.id = m.contact_id
            LEFT JOIN contact_number n ON n.contact_id = m.contact_id AND n.preferred_sms = 1
            WHERE m.group_id = \(groupID) AND m.contact_id > \(cursor)
            ORDER BY m.contact_id LIMIT \(limit)
            """).map { try $0.decode((Int64, String?, String?).self) }
        var intake = PostgresMessageIntake(session, now: now, directory: directory, rules: rules)
        var lastContact = cursor
        if !members.isEmpty {
            let ids = try await PostgresMessageIDs.reserve(members.count, session)
            for ((contactID, externalID, number), id) in zip(members, ids) {
                let submission = OutboxSubmission(
                    id: id, org: orgID, sender: sender, toNumber: number, body: body, kind: kind, sendAt: sendAt, expiresAt: expiresAt,
                    externalRef: externalRef, template: template, variables: variables
                )
                let contact = externalID.map { "\(contactID) (\($0))" } ?? "\(contactID)"
                try await intake.take(submission, broadcastID: broadcastID, refusal: number == nil ? .noPreferredNumber(contact: contact) : nil)
                lastContact = contactID
            }
        }
        let finished = members.count < limit
        let report = intake.report
        try await session.execute("""
            UPDATE broadcast SET cursor = \(lastContact), members = members + \(members.count),
                accepted = accepted + \(members.count - report.rejected.count), rejected = rejected + \(report.rejected.count),
                updated_at = \(now.millis), state = CASE WHEN \(finished) THEN 'done' ELSE state END,
                finished_at = CASE WHEN \(finished) THEN \(now.millis) END
            WHERE id = \(broadcastID)
            """)
        return FanOutReport(broadcastID: broadcastID, orgID: orgID, members: members.count, messages: report, finished: finished)
    }
}

extension PostgresQueue {
    public func fanOutBroadcast(limit: Int, now: Date, directory: Directory, rules: IngestRules) async throws -> FanOutReport? {
        try await write { session in try await PostgresBroadcasts.fanOut(limit: limit, now: now, directory: directory, rules: rules, in: session) }
    }

    public func hasOpenBroadcast() async throws -> Bool {
        try await read { session in
            try await session.value("SELECT EXISTS (SELECT 1 FROM broadcast WHERE state = 'fanning_out')", as: Bool.self) ?? false
        }
    }
}
