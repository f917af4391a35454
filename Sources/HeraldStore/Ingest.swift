import Foundation
import GRDB
import HeraldCore

/// What one ingest pass did with the outbox rows it took.
public struct IngestReport: Sendable, Equatable {
    public var queued = 0
    public var scheduled = 0
    /// Journeys held until their recipient opts in.
    public var awaitingConsent = 0
    /// Opt-in requests Herald queued for those journeys.
    public var optInRequests: [Int64] = []
    public var rejected: [Rejection] = []
    /// Every row that became a queued or scheduled message, in outbox order, for per-message logs.
    public var accepted: [Accepted] = []

    public struct Rejection: Sendable, Equatable {
        public var messageID: Int64
        public var reason: RejectionReason
        public var orgID: String?
    }

    public struct Accepted: Sendable, Equatable {
        public var messageID: Int64
        public var orgID: String
        public var state: MessageState
        public var heldReason: HeldReason?
        public var notBefore: Date
    }

    public var total: Int { queued + scheduled + awaitingConsent + rejected.count }
}

extension QueueDatabase {
    /// Moves up to `limit` outbox rows into `message`, oldest first, in one transaction.
    /// Every row becomes a message (queued, scheduled, awaiting consent or rejected with its reason), and leaves the
    /// outbox in the same commit, so a row is never lost and never ingested twice.
    public func ingest(limit: Int, now: Date, directory: Directory, rules: IngestRules) async throws -> IngestReport {
        try await pool.write { db in
            var report = IngestReport()
            let at = now.millis
            let events = try EventLog(db, at: at)
            // Accepted rows' events go in one statement at the end: [id, "state", "reason"|null, "detail"|null].
            var acceptedEvents: [String] = []
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, org, sender, to_number, body, kind, send_at, expires_at, external_ref, idempotency_key, template, variables
                FROM outbox ORDER BY id LIMIT ?
                """, arguments: [limit])
            guard let lastID: Int64 = rows.last?["id"] else { return report }
            let insert = try db.cachedStatement(sql: """
                INSERT INTO message (id, org_id, user_id, from_number, to_number, body, kind, priority, state, held_reason,
                    reason, detail, not_before, expires_at, segments, encoding, idempotency_key, carrier_key, external_ref,
                    created_at, updated_at, final_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let findKey = try db.cachedStatement(sql: "SELECT id FROM message WHERE org_id = ? AND idempotency_key = ?")
            for row in rows {
                var submission = OutboxSubmission(
                    id: row[0], org: row.text(1), sender: row.text(2), toNumber: row.text(3),
                    body: row.text(4), kind: row.text(5), sendAt: row.text(6),
                    expiresAt: row.text(7), externalRef: row.text(8), idempotencyKey: row.text(9),
                    template: row.text(10), variables: row.text(11)
                )
                if submission.template != nil {
                    submission.recipientFields = try RecipientFields.lookup(org: submission.org, number: submission.toNumber, in: db)
                }
                var verdict = rules.evaluate(submission, directory: directory, now: now)
                var key = submission.idempotencyKey.flatMap { $0.isEmpty ? nil : $0 }
                // Checked for rejected rows too (they keep their key, under the org they name): else a
                // second bad row with the same key would trip the unique index and wedge the batch.
                if let producerKey = key, let keyOrg = (try? verdict.get())?.orgID ?? submission.org,
                   let existing = try Int64.fetchOne(findKey, arguments: [keyOrg, producerKey]) {
                    verdict = .failure(.duplicateIdempotencyKey(key: producerKey, existingMessage: existing))
                }
                var awaiting = false
                if case let .success(message) = verdict {
                    switch try IngestConsent.check(message, rules: rules, now: now, in: db) {
                    case .proceed: break
                    case .awaitConsent: awaiting = true
                    case let .reject(reason): verdict = .failure(reason)
                    }
                }
                let carrierKey = CarrierKey.make(messageID: submission.id)
                switch verdict {
                case var .success(message):
                    if awaiting {
                        message.state = .awaitingConsent
                        message.heldReason = .awaitingConsent
                    }
                    try insert.execute(arguments: [
                        submission.id, message.orgID, message.userID, message.from, message.to.e164, message.body,
                        message.kind.rawValue, message.kind.priority, message.state.rawValue, message.heldReason?.rawValue,
                        nil, nil, message.notBefore.millis, message.expiresAt?.millis, message.segments,
                        message.encoding.rawValue, key, carrierKey, submission.externalRef, at, at, nil,
                    ])
                    var detail = "null"
                    if awaiting {
                        let request = try IngestConsent.requestOptIn(for: message, id: submission.id, directory: directory, rules: rules, now: now, in: db)
                        if let id = request.messageID { report.optInRequests.append(id) }
                        detail = JSONText.quote(request.note)
                    }
                    acceptedEvents.append("[\(submission.id),\"\(message.state.rawValue)\",\(message.heldReason.map { "\"\($0.rawValue)\"" } ?? "null"),\(detail)]")
                    switch message.state {
                    case .scheduled: report.scheduled += 1
                    case .awaitingConsent: report.awaitingConsent += 1
                    default: report.queued += 1
                    }
                    report.accepted.append(.init(messageID: submission.id, orgID: message.orgID, state: message.state,
                                                 heldReason: message.heldReason, notBefore: message.notBefore))
                case let .failure(reason):
                    // The duplicate keeps no key: the unique index belongs to the first message.
                    if case .duplicateIdempotencyKey = reason { key = nil }
                    let kind = MessageKind(rawValue: submission.kind ?? "") ?? .conversational
                    try insert.execute(arguments: [
                        submission.id, submission.org, submission.sender, nil, submission.toNumber, submission.body,
                        submission.kind, kind.priority, MessageState.rejected.rawValue, nil,
                        reason.code, reason.description, at, nil, nil, nil, key, carrierKey, submission.externalRef, at, at, at,
                    ])
                    try events.append(Transition(submission.id, from: nil, to: .rejected, reason: reason.code, detail: reason.description))
                    report.rejected.append(.init(messageID: submission.id, reason: reason, orgID: submission.org))
                }
            }
            if !acceptedEvents.isEmpty {
                try db.cachedStatement(sql: """
                    INSERT INTO message_event (message_id, at, from_state, to_state, reason, detail)
                    SELECT json_extract(value, '$[0]'), ?1, NULL, json_extract(value, '$[1]'), json_extract(value, '$[2]'),
                        json_extract(value, '$[3]')
                    FROM json_each(?2) ORDER BY key
                    """).execute(arguments: [at, "[" + acceptedEvents.joined(separator: ",") + "]"])
            }
            try db.execute(sql: "DELETE FROM outbox WHERE id <= ?", arguments: [lastID])
            return report
        }
    }

    /// Whether anything waits in the outbox; O(1) on the primary key.
    public func outboxHasRows() async throws -> Bool {
        try await pool.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM outbox)") ?? false }
    }
}
