import Foundation
import HeraldCore

/// One text to hand to the carrier: the POST of docs/carrier.md, before encoding.
public struct OutboundSMS: Sendable, Equatable {
    public var messageID: Int64
    public var from: String
    public var to: String
    public var body: String
    /// Sent as the `Idempotency-Key` header; the same on every retry of the message.
    public var idempotencyKey: String
    /// Where the carrier posts status callbacks for this message, if anywhere.
    public var statusCallback: String?
    /// The concatenation header of one part Herald segmented itself (`segmentation = "client"`),
    /// sent as the `Udh` form field in hex; nil for a whole message.
    public var udh: [UInt8]?

    public init(
        messageID: Int64, from: String, to: String, body: String, idempotencyKey: String, statusCallback: String?,
        udh: [UInt8]? = nil
    ) {
        self.messageID = messageID
        self.from = from
        self.to = to
        self.body = body
        self.idempotencyKey = idempotencyKey
        self.statusCallback = statusCallback
        self.udh = udh
    }
}

/// The carrier seam: the libcurl client in production, a twin in unit tests.
/// Implementations are called from many tasks at once and bound their own concurrency.
public protocol CarrierClient: Sendable {
    func send(_ sms: OutboundSMS) async -> CarrierOutcome
    /// The same post, its outcome handed to `finished` on a thread of the client's own: for a
    /// dispatcher posting a whole claim without a task and a continuation a text. `finished`
    /// must be quick and must not block.
    func send(_ sms: OutboundSMS, then finished: @escaping @Sendable (CarrierOutcome) -> Void)
    /// What the carrier says now of a message it took (reconciliation).
    func lookUp(sid: String) async -> CarrierLookup
    /// Whether the carrier took `sms` after all, created no earlier than `postedSince`: matched by
    /// Herald's message id in the StatusCallback URL where the carrier shows it, else by the exact body.
    func find(_ sms: OutboundSMS, postedSince: Date) async -> CarrierSearch
}
