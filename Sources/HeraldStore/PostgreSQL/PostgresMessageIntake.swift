import Foundation
import HeraldCore
import PostgresNIO

/// Turns one outbox-shaped submission into its message inside the caller's transaction, as
/// `MessageIntake` does for SQLite: Core's `IngestRules`, the idempotency check, consent, the
/// insert and its event. Ingest feeds it outbox rows, a broadcast's fan-out one row per member.
struct PostgresMessageIntake {
    private let now: Date
    private let directory: Directory
    private let rules: IngestRules
    let transitions: PostgresTransitions
    var report = IngestReport()

    init(_ session: PostgresSession, now: Date, directory: Directory, rules: IngestRules) {
        self.now = now
        self.directory = directory
        self.rules = rules
        transitions = PostgresTransitions(session, now: now)
    }

    private var session: PostgresSession { transitions.session }

    @discardableResult
    mutating func take(_ submission: OutboxSubmission, broadcastID: Int64? = nil, refusal: RejectionReason? = nil) async throws -> MessageState {
        var submission = submission
        if submission.template != nil, refusal == nil {
            submission.recipientFields = try await PostgresRecipientFields.lookup(org: submission.org, number: submission.toNumber, in: session)
        }
        var verdict = refusal.map { Result<ValidatedSubmission, RejectionReason>.failure($0) }
            ?? rules.evaluate(submission, directory: directory, now: now)
        var key = submission.idempotencyKey.flatMap { $0.isEmpty ? nil : $0 }
        // Checked for rejected rows too (they keep their key, under the org they name): else a
        // second bad row with the same key would trip the unique index and wedge the batch.
        if let producerKey = key, let keyOrg = (try? verdict.get())?.orgID ?? submission.org,
           let existing = try await session.value(
               "SELECT id FROM message WHERE org_id = \(keyOrg) AND idempotency_key = \(producerKey)", as: Int64.self) {
            verdict = .failure(.duplicateIdempotencyKey(key: producerKey, existingMessage: existing))
        }
        var awaiting = false
        if case let .success(message) = verdict {
            switch try await PostgresIngestConsent.check(message, rules: rules, now: now, in: session) {
            case .proceed: break
            case .awaitConsent: awaiting = true
            case let .reject(reason): verdict = .failure(reason)
            }
        }
        switch verdict {
        case var .success(message):
            var eventDetail: String?
            if awaiting {
                message.state = .awaitingConsent
                message.heldReason = .awaitingConsent
                let request = try await PostgresIngestConsent.requestOptIn(for: message, id: submission.id, directory: directory,
                                                                          rules: rules, now: now, transitions: transitions)
                if let id = request.messageID { report.optInRequests.append(id) }
                eventDetail = request.note
            }
            try await transitions.create(NewMessage(accepting: message, id: submission.id, idempotencyKey: key,
                                            externalRef: submission.externalRef, broadcastID: broadcastID, eventDetail: eventDetail))
            report.countAccepted(message, id: submission.id)
            return message.state
        case let .failure(reason):
            // The duplicate keeps no key: the unique index belongs to the first message.
            if case .duplicateIdempotencyKey = reason { key = nil }
            try await transitions.create(NewMessage(rejecting: submission, reason: reason, idempotencyKey: key, broadcastID: broadcastID,
                                            now: now))
            report.rejected.append(.init(messageID: submission.id, reason: reason, orgID: submission.org))
            return .rejected
        }
    }
}
