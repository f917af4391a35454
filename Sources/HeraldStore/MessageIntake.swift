import Foundation
import GRDB
import HeraldCore

/// Turns one outbox-shaped submission into its message inside the caller's write transaction:
/// the rules, the idempotency check, consent, the insert and its event. Ingest feeds it outbox
/// rows; a broadcast's fan-out feeds it one row per group member, so both obey the same rules.
struct MessageIntake {
    private let db: Database
    private let now: Date
    private let at: Int64
    private let directory: Directory
    private let rules: IngestRules
    private let events: EventLog
    private let insert: Statement
    private let findKey: Statement
    /// Accepted rows' events go in one statement at `finish`: [id, "state", "reason"|null, "detail"|null].
    private var acceptedEvents: [String] = []
    var report = IngestReport()

    init(_ db: Database, now: Date, directory: Directory, rules: IngestRules) throws {
        self.db = db
        self.now = now
        at = now.millis
        self.directory = directory
        self.rules = rules
        events = try EventLog(db, at: at)
        insert = try db.cachedStatement(sql: """
            INSERT INTO message (id, org_id, user_id, from_number, to_number, body, kind, priority, state, held_reason,
                reason, detail, not_before, expires_at, segments, encoding, idempotency_key, carrier_key, external_ref,
                created_at, updated_at, final_at, broadcast_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        findKey = try db.cachedStatement(sql: "SELECT id FROM message WHERE org_id = ? AND idempotency_key = ?")
    }

    /// Inserts the message for `submission` and returns its state.
    /// - Parameter refusal: a reason decided before the rules could run (a group member without a
    ///   number); the row is rejected with it.
    @discardableResult
    mutating func take(_ submission: OutboxSubmission, broadcastID: Int64? = nil, refusal: RejectionReason? = nil) throws -> MessageState {
        var submission = submission
        if submission.template != nil, refusal == nil {
            submission.recipientFields = try RecipientFields.lookup(org: submission.org, number: submission.toNumber, in: db)
        }
        var verdict = refusal.map { Result<ValidatedSubmission, RejectionReason>.failure($0) }
            ?? rules.evaluate(submission, directory: directory, now: now)
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
                message.encoding.rawValue, key, carrierKey, submission.externalRef, at, at, nil, broadcastID,
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
            return message.state
        case let .failure(reason):
            // The duplicate keeps no key: the unique index belongs to the first message.
            if case .duplicateIdempotencyKey = reason { key = nil }
            let kind = MessageKind(rawValue: submission.kind ?? "") ?? .conversational
            try insert.execute(arguments: [
                submission.id, submission.org, submission.sender, nil, submission.toNumber, submission.body,
                submission.kind, kind.priority, MessageState.rejected.rawValue, nil,
                reason.code, reason.description, at, nil, nil, nil, key, carrierKey, submission.externalRef, at, at, at, broadcastID,
            ])
            try events.append(Transition(submission.id, from: nil, to: .rejected, reason: reason.code, detail: reason.description))
            report.rejected.append(.init(messageID: submission.id, reason: reason, orgID: submission.org))
            return .rejected
        }
    }

    /// Writes the accepted messages' events; call once, after the last `take`.
    mutating func finish() throws {
        guard !acceptedEvents.isEmpty else { return }
        try db.cachedStatement(sql: """
            INSERT INTO message_event (message_id, at, from_state, to_state, reason, detail)
            SELECT json_extract(value, '$[0]'), ?1, NULL, json_extract(value, '$[1]'), json_extract(value, '$[2]'),
                json_extract(value, '$[3]')
            FROM json_each(?2) ORDER BY key
            """).execute(arguments: [at, "[" + acceptedEvents.joined(separator: ",") + "]"])
        acceptedEvents = []
    }
}
