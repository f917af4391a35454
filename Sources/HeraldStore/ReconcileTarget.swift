import Foundation
import HeraldCore

/// A text still `sent` whose lookup is due: the sids to ask the carrier about (one, or one per
/// part of a client-segmented text whose part has no final status yet).
public struct ReconcileTarget: Sendable, Equatable {
    public struct SID: Sendable, Equatable {
        public var sid: String
        /// Client segmentation: which part of how many.
        public var part: Int?
        public var parts: Int?

        public init(sid: String, part: Int? = nil, parts: Int? = nil) {
            self.sid = sid
            self.part = part
            self.parts = parts
        }
    }

    public var messageID: Int64
    public var sentAt: Date
    /// Lookups made so far that found it still `sent`.
    public var lookups: Int
    public var sids: [SID]

    public init(messageID: Int64, sentAt: Date, lookups: Int, sids: [SID]) {
        self.messageID = messageID
        self.sentAt = sentAt
        self.lookups = lookups
        self.sids = sids
    }
}

/// What the carrier said about one sid of a target.
public struct ReconcileAnswer: Sendable, Equatable {
    public var messageID: Int64
    public var sid: ReconcileTarget.SID
    public var answer: CarrierLookup

    public init(messageID: Int64, sid: ReconcileTarget.SID, answer: CarrierLookup) {
        self.messageID = messageID
        self.sid = sid
        self.answer = answer
    }
}

/// What a batch of lookups did.
public struct ReconcileReport: Sendable, Equatable {
    /// Texts a lookup moved on (to `delivered`, `undelivered` or `failed`).
    public var moved = 0
    /// Still `sent`, looked up again later.
    public var rescheduled = 0
    /// Still `sent` at the give-up age: reconciliation ended for them.
    public var gaveUp: [Int64] = []

    public init() {}
}
