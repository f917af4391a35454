import Foundation
import HeraldCore

/// What one ingest pass did with the outbox rows it took.
public struct IngestReport: Sendable, Equatable {
    public var queued = 0
    public var scheduled = 0
    /// Journeys held until their recipient opts in.
    public var awaitingConsent = 0
    /// Opt-in requests Herald queued for those journeys.
    public var optInRequests: [Int64] = []
    public var rejected: [Rejection] = []
    /// Every row that became a queued or scheduled message, in outbox order, for per-message logs.
    public var accepted: [Accepted] = []
    /// Rows addressed to a contact group, now broadcasts waiting for their fan-out.
    public var broadcasts: [Int64] = []
    /// Seconds each row waited in the outbox (its `created_at` to this ingest), where readable.
    public var outboxLags: [Double] = []

    public struct Rejection: Sendable, Equatable {
        public var messageID: Int64
        public var reason: RejectionReason
        public var orgID: String?
    }

    public struct Accepted: Sendable, Equatable {
        public var messageID: Int64
        public var orgID: String
        public var state: MessageState
        public var heldReason: HeldReason?
        public var notBefore: Date
    }

    public var total: Int { queued + scheduled + awaitingConsent + rejected.count + broadcasts.count }
}
