import Foundation

/// A text Herald writes itself rather than a producer: a keyword's confirmation, a HELP answer,
/// an auto-reply, an opt-in request. It joins the queue through the same rules as an outbox row
/// (`IngestRules.admit`), with an event naming why it exists.
public struct OwnText: Sendable, Equatable {
    public var org: String
    public var sender: SenderProfile
    /// E.164, as the consent ledger keeps the number.
    public var to: String
    public var body: String
    public var kind: MessageKind
    /// Where sending windows (or their absence) put it.
    public var placement: Placement
    public var purpose: OwnTextPurpose
    /// Said in its first event, e.g. "answers inbound message 12".
    public var detail: String?

    public init(
        org: String, sender: SenderProfile, to: String, body: String, kind: MessageKind, placement: Placement,
        purpose: OwnTextPurpose, detail: String?
    ) {
        self.org = org
        self.sender = sender
        self.to = to
        self.body = body
        self.kind = kind
        self.placement = placement
        self.purpose = purpose
        self.detail = detail
    }
}

/// An own text as the store inserts it.
public struct AdmittedOwnText: Sendable, Equatable {
    public var body: String
    public var segments: Int
    public var encoding: SMSEncoding
    public var state: MessageState
    public var heldReason: HeldReason?
    public var notBefore: Date
    /// Its first event's detail: why it exists, and what holds it.
    public var eventDetail: String
}

extension IngestRules {
    /// Segments an own text as its organization segments everything (smart encoding included) and
    /// places it as its placement says. The organization's texts were checked when configured, so
    /// nothing here can refuse it.
    public func admit(_ text: OwnText, smartEncoding: Bool) -> AdmittedOwnText {
        let segmented = smartEncoding ? Segmenter(smartEncoding: true).segment(text.body) : segmenter.segment(text.body)
        let held = text.placement.heldReason.map { "; held \($0.rawValue) until \(Timestamp.format(text.placement.notBefore))" } ?? ""
        return AdmittedOwnText(
            body: smartEncoding ? segmented.parts.joined() : text.body, segments: segmented.segments, encoding: segmented.encoding,
            state: text.placement.heldReason == nil ? .queued : .scheduled, heldReason: text.placement.heldReason,
            notBefore: text.placement.notBefore, eventDetail: (text.detail ?? "") + held
        )
    }
}
