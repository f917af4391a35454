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
        let carrierKey = CarrierKey.make(messageID: submission.id)
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
            try await transitions.create(NewMessage(
                id: submission.id, orgID: message.orgID, userID: message.userID, from: message.from, to: message.to.e164,
                body: message.body, kind: message.kind.rawValue, priority: message.kind.priority, state: message.state,
                heldReason: message.heldReason, notBefore: message.notBefore, expiresAt: message.expiresAt,
                segments: message.segments, encoding: message.encoding, idempotencyKey: key, carrierKey: carrierKey,
                externalRef: submission.externalRef, broadcastID: broadcastID,
                eventReason: message.heldReason.map(EventReason.held), eventDetail: eventDetail
            ))
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
            try await transitions.create(NewMessage(
                id: submission.id, orgID: submission.org, userID: submission.sender, to: submission.toNumber, body: submission.body,
                kind: submission.kind, priority: kind.priority, state: .rejected, reason: .rejected(code: reason.code),
                detail: reason.description, notBefore: now, idempotencyKey: key, carrierKey: carrierKey,
                externalRef: submission.externalRef, broadcastID: broadcastID
            ))
            report.rejected.append(.init(messageID: submission.id, reason: reason, orgID: submission.org))
            return .rejected
        }
    }
}
