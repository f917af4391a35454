import Foundation

/// Decides what an outbox row becomes. Pure: the store supplies the row, the directory and the time.
public struct IngestRules: Sendable {
    public var segmenter: Segmenter
    private static let smartSegmenter = Segmenter(smartEncoding: true)

    /// Sending windows (SPEC §5); nil only where a caller tests queue mechanics apart from them.
    public var windows: WindowCalculator?

    public init(segmenter: Segmenter = Segmenter(), windows: WindowCalculator? = WindowCalculator()) {
        self.segmenter = segmenter
        self.windows = windows
    }

    public func evaluate(_ row: OutboxSubmission, directory: Directory, now: Date) -> Result<ValidatedSubmission, RejectionReason> {
        guard let org = row.org?.trimmed, !org.isEmpty else { return .failure(.missingField("org")) }
        guard let senderName = row.sender?.trimmed, !senderName.isEmpty else { return .failure(.missingField("sender")) }
        guard let toText = row.toNumber else { return .failure(.missingField("to_number")) }
        guard let body = row.body else { return .failure(.missingField("body")) }

        let kind: MessageKind
        if let rawKind = row.kind?.trimmed, !rawKind.isEmpty {
            guard let parsed = MessageKind(rawValue: rawKind.lowercased()) else { return .failure(.badKind(rawKind)) }
            kind = parsed
        } else {
            kind = .conversational
        }
        guard let organization = directory.organization(org) else { return .failure(.unknownOrganization(org)) }
        guard let sender = directory.sender(org: org, named: senderName) else {
            return .failure(.unknownSender(org: org, sender: senderName))
        }
        let to: PhoneNumber
        switch PhoneNumber.parse(toText) {
        case let .success(number): to = number
        case let .failure(error): return .failure(.invalidNumber(input: toText, problem: error.description))
        }
        if body.unicodeScalars.allSatisfy(\.isSpace) { return .failure(.emptyBody) }
        let characters = body.unicodeScalars.count
        if characters > Segmenter.maximumCharacters { return .failure(.bodyTooLong(characters: characters)) }

        var sendAt: Date?
        if let text = row.sendAt?.trimmed, !text.isEmpty {
            guard let parsed = Timestamp.parse(text) else { return .failure(.badTimestamp(field: "send_at", value: text)) }
            sendAt = parsed
        }
        var expiresAt: Date?
        if let text = row.expiresAt?.trimmed, !text.isEmpty {
            guard let parsed = Timestamp.parse(text) else { return .failure(.badTimestamp(field: "expires_at", value: text)) }
            if parsed <= now { return .failure(.expiredBeforeIngest(expiresAt: text)) }
            expiresAt = parsed
        }

        // With smart encoding the body sent is the rewritten one, so what was counted is what goes.
        let segmented = organization.smartEncoding ? Self.smartSegmenter.segment(body) : segmenter.segment(body)
        let sentBody = organization.smartEncoding ? segmented.parts.joined() : body
        var notBefore = now
        var heldReason: HeldReason?
        if let sendAt, sendAt > now {
            notBefore = sendAt
            heldReason = .sendAt
        }
        switch windows?.evaluate(at: notBefore, window: organization.window, to: to, kind: kind) ?? .allowed {
        case .allowed:
            break
        case let .deferred(until, reason):
            notBefore = until
            heldReason = reason
        case let .never(reason):
            return .failure(.noSendingWindow(reason: reason, horizonDays: windows?.horizonDays ?? 0))
        }
        return .success(ValidatedSubmission(
            orgID: org, userID: sender.userID, from: sender.number, to: to, body: sentBody, kind: kind,
            segments: segmented.segments, encoding: segmented.encoding,
            state: heldReason == nil ? .queued : .scheduled, heldReason: heldReason,
            notBefore: notBefore, expiresAt: expiresAt
        ))
    }
}

extension String {
    /// Leading and trailing white space removed. Runs on every field of every outbox row, so it
    /// avoids Foundation's character-set machinery and returns `self` when there is nothing to trim.
    var trimmed: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isSpace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isSpace })!
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return self }
        return String(scalars[first...last])
    }
}

extension Unicode.Scalar {
    var isSpace: Bool {
        value < 0x80 ? (value == 0x20 || (0x09...0x0D).contains(value)) : properties.isWhitespace
    }
}
