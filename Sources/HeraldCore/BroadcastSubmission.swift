import Foundation

/// An outbox row addressed to a contact group that passed every check that does not depend on a
/// recipient. Each member's message is then judged by `IngestRules.evaluate` on its own, so a
/// broadcast is refused as a whole only for what would refuse every one of its messages.
public struct BroadcastSubmission: Sendable, Equatable {
    public var orgID: String
    public var userID: String
    /// The sender as the producer wrote it (user id or number): each member's row carries it.
    public var sender: String
    public var group: String
    /// nil when the row names a template instead: each member's text is rendered from it.
    public var body: String?

    public init(orgID: String, userID: String, sender: String, group: String, body: String?) {
        self.orgID = orgID
        self.userID = userID
        self.sender = sender
        self.group = group
        self.body = body
    }
}

extension IngestRules {
    public func evaluateBroadcast(
        _ row: OutboxSubmission, group rawGroup: String, directory: Directory, now: Date
    ) -> Result<BroadcastSubmission, RejectionReason> {
        guard let org = row.org?.trimmed, !org.isEmpty else { return .failure(.missingField("org")) }
        guard let senderName = row.sender?.trimmed, !senderName.isEmpty else { return .failure(.missingField("sender")) }
        if let number = row.toNumber, !number.trimmed.isEmpty { return .failure(.numberAndGroup) }
        let group = rawGroup.trimmed
        guard !group.isEmpty else { return .failure(.missingField("to_group")) }
        let rawKind = row.kind?.trimmed ?? ""
        guard rawKind.lowercased() == MessageKind.bulk.rawValue else {
            return .failure(.groupNeedsBulk(kind: rawKind.isEmpty ? MessageKind.conversational.rawValue : rawKind))
        }
        let template = row.template?.trimmed ?? ""
        guard template.isEmpty == false || row.body != nil else { return .failure(.missingField("body")) }
        guard let organization = directory.organization(org) else { return .failure(.unknownOrganization(org)) }
        guard let sender = directory.sender(org: org, named: senderName) else {
            return .failure(.unknownSender(org: org, sender: senderName))
        }
        if !template.isEmpty {
            // What a member's contact record fills is checked per member; the rest is checked once here.
            if let body = row.body, !body.unicodeScalars.allSatisfy(\.isSpace) { return .failure(.bodyAndTemplate) }
            guard organization.templates[template] != nil else { return .failure(.unknownTemplate(org: org, template: template)) }
            if case let .failure(reason) = OutboxSubmission.parseVariables(row.variables) { return .failure(reason) }
        } else if let body = row.body {
            if body.unicodeScalars.allSatisfy(\.isSpace) { return .failure(.emptyBody) }
            let characters = body.unicodeScalars.count
            if characters > Segmenter.maximumCharacters { return .failure(.bodyTooLong(characters: characters)) }
        }
        if let text = row.sendAt?.trimmed, !text.isEmpty, Timestamp.parse(text) == nil {
            return .failure(.badTimestamp(field: "send_at", value: text))
        }
        if let text = row.expiresAt?.trimmed, !text.isEmpty {
            guard let parsed = Timestamp.parse(text) else { return .failure(.badTimestamp(field: "expires_at", value: text)) }
            if parsed <= now { return .failure(.expiredBeforeIngest(expiresAt: text)) }
        }
        return .success(BroadcastSubmission(orgID: org, userID: sender.userID, sender: senderName, group: group,
                                            body: template.isEmpty ? row.body : nil))
    }
}
