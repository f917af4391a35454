import HeraldCore

public struct StoredInbound: Sendable, Equatable {
    public var id: Int64
    public var orgID: String?
    /// False when the carrier redelivered a webhook already stored; nothing is done twice.
    public var isNew: Bool
    public var keyword: ReplyKeyword?
    public var action: InboundAction?
    /// The confirmation or HELP answer queued in reply.
    public var reply: Int64?
    /// The consent change the reply made, if any.
    public var consent: ConsentEffect?
    /// The mail queued to forward the reply to its user (`reply_forward.id`).
    public var forward: Int64?
}
