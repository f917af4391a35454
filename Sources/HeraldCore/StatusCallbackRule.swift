/// What a carrier's report of a message's status does to it (docs/carrier.md, "Status callbacks"):
/// reports only move a message forward. A late `sent` never overwrites `delivered`, a repeated
/// report changes nothing, and a report for a message that was never posted is not believed.
public enum StatusCallbackRule {
    /// The state a carrier status stands for; nil for statuses that say nothing new.
    public static func state(ofCarrierStatus status: String) -> MessageState? {
        switch status.lowercased() {
        case "accepted", "queued", "sending", "sent", "scheduled": .sent
        case "delivered", "read": .delivered
        case "undelivered": .undelivered
        case "failed", "canceled": .failed
        default: nil
        }
    }

    public enum Verdict: Sendable, Equatable {
        /// `confirmsPost`: the message was not yet known to be with the carrier (still `sending`,
        /// or waiting for a retry of a post whose answer was lost), so its segments count now.
        case move(to: MessageState, confirmsPost: Bool)
        case ignore(why: String)
    }

    /// - Parameters:
    ///   - current: the message's state now.
    ///   - posted: whether Herald ever posted it (attempts > 0).
    ///   - reported: what the carrier says, as a state (`state(ofCarrierStatus:)`).
    public static func decide(current: MessageState, posted: Bool, reported: MessageState) -> Verdict {
        if current.isFinal { return .ignore(why: "already final") }
        if current == reported { return .ignore(why: "duplicate") }
        guard posted, current != .awaitingConsent, current.canMove(to: reported) else { return .ignore(why: "never posted") }
        return .move(to: reported, confirmsPost: current != .sent)
    }
}

/// The parts of a text Herald segments itself (`segmentation = "client"`): each part is a carrier
/// message of its own, and the text follows all of them together.
///
/// - `sent` once every part is accepted;
/// - `delivered` once every part is delivered: a handset shows the text only when it has all;
/// - `undelivered` or `failed` as soon as one part is, since the text can no longer be shown whole.
public enum MessagePartsRule {
    public struct Part: Sendable, Equatable {
        public var number: Int
        /// The part's last carrier status; nil when a post accepted it and no callback came yet.
        public var carrierStatus: String?
        public var errorCode: Int?

        public init(number: Int, carrierStatus: String?, errorCode: Int?) {
            self.number = number
            self.carrierStatus = carrierStatus
            self.errorCode = errorCode
        }

        public var state: MessageState { carrierStatus.flatMap(StatusCallbackRule.state(ofCarrierStatus:)) ?? .sent }
    }

    /// The name a part goes by in events and answers: "part 2 of 3".
    public static func name(part: Int, of total: Int) -> String { "part \(part) of \(total)" }

    /// A report about one part that is no news for that part, given what it last said; nil when it is news.
    public static func staleReport(_ reported: MessageState, known: Part?, total: Int) -> StatusCallbackRule.Verdict? {
        guard let known, known.carrierStatus != nil else { return nil }
        let name = name(part: known.number, of: total)
        if known.state.isFinal { return .ignore(why: "\(name) already final") }
        if known.state == reported { return .ignore(why: "\(name): duplicate") }
        return nil
    }

    /// What the parts, with the new report recorded, do to the text.
    public static func decide(
        current: MessageState, posted: Bool, aggregate: Aggregate?, part: Int, of total: Int, carrierStatus: String
    ) -> StatusCallbackRule.Verdict {
        let name = name(part: part, of: total)
        guard let aggregate else { return .ignore(why: "\(name) \(carrierStatus) recorded; the message waits for its other parts") }
        if current.isFinal { return .ignore(why: "\(name) recorded; the message is already final") }
        if current == aggregate.state { return .ignore(why: "\(name) \(carrierStatus) recorded") }
        return StatusCallbackRule.decide(current: current, posted: posted, reported: aggregate.state)
    }

    public struct Aggregate: Sendable, Equatable {
        public var state: MessageState
        public var detail: String
        public var errorCode: Int?

        public init(state: MessageState, detail: String, errorCode: Int? = nil) {
            self.state = state
            self.detail = detail
            self.errorCode = errorCode
        }
    }

    /// What the parts say about the text together; nil while that is nothing yet.
    public static func aggregate(_ parts: [Part], total: Int) -> Aggregate? {
        if let lost = parts.first(where: { $0.state == .undelivered || $0.state == .failed }) {
            return Aggregate(state: lost.state, detail: "part \(lost.number) of \(total) \(lost.state.rawValue)", errorCode: lost.errorCode)
        }
        guard parts.count == total else { return nil }
        if parts.allSatisfy({ $0.state == .delivered }) {
            return Aggregate(state: .delivered, detail: "all \(total) parts delivered")
        }
        return Aggregate(state: .sent, detail: "all \(total) parts accepted")
    }
}
