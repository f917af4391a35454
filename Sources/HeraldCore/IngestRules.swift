import Foundation

/// Decides what an outbox row becomes. Pure: the store supplies the row, the directory and the time.
public struct IngestRules: Sendable {
    public var segmenter: Segmenter
    private static let smartSegmenter = Segmenter(smartEncoding: true)

    /// Sending windows (docs/windows.md); nil only where a caller tests queue mechanics apart from them.
    public var windows: WindowCalculator?
    /// The opt-in request limit (docs/states.md#message-kinds), for producers' requests and those Herald makes for journeys.
    public var optInPolicy: OptInRequestPolicy

    public init(
        segmenter: Segmenter = Segmenter(), windows: WindowCalculator? = WindowCalculator(),
        optInPolicy: OptInRequestPolicy = OptInRequestPolicy()
    ) {
        self.segmenter = segmenter
        self.windows = windows
        self.optInPolicy = optInPolicy
    }

    public func evaluate(_ row: OutboxSubmission, directory: Directory, now: Date) -> Result<ValidatedSubmission, RejectionReason> {
        guard let org = row.org?.trimmed, !org.isEmpty else { return .failure(.missingField("org")) }
        guard let senderName = row.sender?.trimmed, !senderName.isEmpty else { return .failure(.missingField("sender")) }
        guard let toText = row.toNumber else { return .failure(.missingField("to_number")) }
        let isOptInRequest = row.kind?.trimmed.lowercased() == MessageKind.optInRequest.rawValue
        let templated = row.template.map { !$0.trimmed.isEmpty } ?? false
        if row.body == nil, !isOptInRequest, !templated { return .failure(.missingField("body")) }

        let kind: MessageKind
        if let rawKind = row.kind?.trimmed, !rawKind.isEmpty {
            guard let parsed = MessageKind(rawValue: rawKind.lowercased()) else { return .failure(.badKind(rawKind)) }
            kind = parsed
            if kind == .system { return .failure(.reservedKind(kind)) }
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
        var body: String
        switch row.text(organization: organization, sender: sender) {
        case let .success(text): body = text ?? ""
        case let .failure(reason): return .failure(reason)
        }
        // An opt-in request without a text of its own gets the organization's template.
        if kind == .optInRequest, body.unicodeScalars.allSatisfy(\.isSpace),
           let request = directory.consentText(.optInRequest, org: org, sender: sender) {
            body = request
        }
        if body.unicodeScalars.allSatisfy(\.isSpace) { return .failure(.emptyBody) }
        body = sender.signed(body, kind: kind)
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
        switch placement(kind: kind, to: to, organization: organization, earliest: notBefore) {
        case let .success(placed):
            if let reason = placed.heldReason {
                notBefore = placed.notBefore
                heldReason = reason
            }
        case let .failure(reason): return .failure(reason)
        }
        // No hold outlasts the text (ClaimRules.hold): it comes back at expires_at and expires then.
        if let expiresAt, notBefore > expiresAt { notBefore = expiresAt }
        return .success(ValidatedSubmission(
            orgID: org, userID: sender.userID, from: sender.number, to: to, body: sentBody, kind: kind,
            segments: segmented.segments, encoding: segmented.encoding,
            state: heldReason == nil ? .queued : .scheduled, heldReason: heldReason,
            notBefore: notBefore, expiresAt: expiresAt
        ))
    }
}

/// When a text Herald queues may first go: `earliest`, or later if a sending window holds it.
public struct Placement: Sendable, Equatable {
    public var notBefore: Date
    public var heldReason: HeldReason?

    public init(notBefore: Date, heldReason: HeldReason? = nil) {
        self.notBefore = notBefore
        self.heldReason = heldReason
    }
}

extension IngestRules {
    /// Where sending windows (docs/windows.md) place a text of `kind` that may go at `earliest` at the soonest.
    public func placement(
        kind: MessageKind, to: PhoneNumber, organization: OrganizationProfile, earliest: Date
    ) -> Result<Placement, RejectionReason> {
        switch windows?.evaluate(at: earliest, window: organization.window, to: to, kind: kind) ?? .allowed {
        case .allowed:
            .success(Placement(notBefore: earliest, heldReason: nil))
        case let .deferred(until, reason):
            .success(Placement(notBefore: until, heldReason: reason))
        case let .never(reason):
            .failure(.noSendingWindow(reason: reason, horizonDays: windows?.horizonDays ?? 0))
        }
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
