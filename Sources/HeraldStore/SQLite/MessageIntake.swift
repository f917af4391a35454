import Foundation
import GRDB
import HeraldCore

/// Turns one outbox-shaped submission into its message inside the caller's write transaction:
/// the rules, the idempotency check, consent, the insert and its event. Ingest feeds it outbox
/// rows; a broadcast's fan-out feeds it one row per group member, so both obey the same rules.
struct MessageIntake {
    private let now: Date
    private let directory: Directory
    private let rules: IngestRules
    private let transitions: MessageTransitions
    private let findKey: Statement
    var report = IngestReport()

    init(_ db: Database, now: Date, directory: Directory, rules: IngestRules) throws {
        self.now = now
        self.directory = directory
        self.rules = rules
        transitions = MessageTransitions(db, now: now)
        findKey = try db.cachedStatement(sql: "SELECT id FROM message WHERE org_id = ? AND idempotency_key = ?")
    }

    private var db: Database { transitions.db }

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
        switch verdict {
        case var .success(message):
            // A journey waiting for consent says in its first event what became of its opt-in request.
            var eventDetail: String?
            if awaiting {
                message.state = .awaitingConsent
                message.heldReason = .awaitingConsent
                let request = try IngestConsent.requestOptIn(for: message, id: submission.id, directory: directory, rules: rules,
                                                             now: now, transitions: transitions)
                if let id = request.messageID { report.optInRequests.append(id) }
                eventDetail = request.note
            }
            try transitions.create(NewMessage(accepting: message, id: submission.id, idempotencyKey: key,
                                            externalRef: submission.externalRef, broadcastID: broadcastID, eventDetail: eventDetail))
            report.countAccepted(message, id: submission.id)
            return message.state
        case let .failure(reason):
            // The duplicate keeps no key: the unique index belongs to the first message.
            if case .duplicateIdempotencyKey = reason { key = nil }
            try transitions.create(NewMessage(rejecting: submission, reason: reason, idempotencyKey: key, broadcastID: broadcastID,
                                            now: now))
            report.rejected.append(.init(messageID: submission.id, reason: reason, orgID: submission.org))
            return .rejected
        }
    }
}
