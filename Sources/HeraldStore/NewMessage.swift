import Foundation
import HeraldCore

/// A message as intake creates it: accepted (queued, scheduled, awaiting consent) or rejected.
struct NewMessage {
    var id: Int64
    var orgID: String?
    var userID: String?
    var from: String?
    var to: String?
    var body: String?
    var kind: String?
    var priority: Int
    var state: MessageState
    var heldReason: HeldReason?
    /// Rejected rows: the rejection's code and sentence.
    var reason: EventReason?
    var detail: String?
    var notBefore: Date
    var expiresAt: Date?
    var segments: Int?
    var encoding: SMSEncoding?
    var idempotencyKey: String?
    var carrierKey: String
    var externalRef: String?
    var broadcastID: Int64?
    /// The first event's reason and detail, when they differ from the row's own.
    var eventReason: EventReason?
    var eventDetail: String?
}

extension MessageState {
    /// The states a message is created in.
    static let created: Set<MessageState> = [.queued, .scheduled, .awaitingConsent, .rejected]
}

// The rows intake writes, built the same way by every backend.
extension NewMessage {
    /// A producer's row that the rules accepted (queued, scheduled or awaiting consent).
    init(accepting message: ValidatedSubmission, id: Int64, idempotencyKey: String?, externalRef: String?, broadcastID: Int64?,
         eventDetail: String?) {
        self.init(
            id: id, orgID: message.orgID, userID: message.userID, from: message.from, to: message.to.e164,
            body: message.body, kind: message.kind.rawValue, priority: message.kind.priority, state: message.state,
            heldReason: message.heldReason, notBefore: message.notBefore, expiresAt: message.expiresAt,
            segments: message.segments, encoding: message.encoding, idempotencyKey: idempotencyKey,
            carrierKey: CarrierKey.make(messageID: id), externalRef: externalRef, broadcastID: broadcastID,
            eventReason: message.heldReason.map(EventReason.held), eventDetail: eventDetail
        )
    }

    /// A producer's row refused for `reason`: kept as a `rejected` message saying why.
    init(rejecting submission: OutboxSubmission, reason: RejectionReason, idempotencyKey: String?, broadcastID: Int64?, now: Date) {
        let kind = MessageKind(rawValue: submission.kind ?? "") ?? .conversational
        self.init(
            id: submission.id, orgID: submission.org, userID: submission.sender, to: submission.toNumber, body: submission.body,
            kind: submission.kind, priority: kind.priority, state: .rejected, reason: .rejected(code: reason.code),
            detail: reason.description, notBefore: now, idempotencyKey: idempotencyKey,
            carrierKey: CarrierKey.make(messageID: submission.id), externalRef: submission.externalRef, broadcastID: broadcastID
        )
    }

    /// A text Herald writes itself, as the intake rules admitted it.
    init(own text: OwnText, admitted: AdmittedOwnText, id: Int64) {
        self.init(
            id: id, orgID: text.org, userID: text.sender.userID, from: text.sender.number, to: text.to, body: admitted.body,
            kind: text.kind.rawValue, priority: text.kind.priority, state: admitted.state, heldReason: admitted.heldReason,
            notBefore: admitted.notBefore, segments: admitted.segments, encoding: admitted.encoding,
            carrierKey: CarrierKey.make(messageID: id), eventReason: .ownText(text.purpose), eventDetail: admitted.eventDetail
        )
    }
}

extension IngestReport {
    /// Counts a producer's row that became a message, by the state it was created in.
    mutating func countAccepted(_ message: ValidatedSubmission, id: Int64) {
        switch message.state {
        case .scheduled: scheduled += 1
        case .awaitingConsent: awaitingConsent += 1
        default: queued += 1
        }
        accepted.append(.init(messageID: id, orgID: message.orgID, state: message.state, heldReason: message.heldReason,
                              notBefore: message.notBefore))
    }
}
