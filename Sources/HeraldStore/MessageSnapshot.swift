import Foundation
import HeraldCore

/// A message as operators and tests read it back.
public struct MessageSnapshot: Sendable, Equatable {
    public var id: Int64
    public var orgID: String?
    public var to: String?
    public var state: MessageState
    public var heldReason: HeldReason?
    public var reason: String?
    public var detail: String?
    public var notBefore: Date
    public var segments: Int?
    public var carrierSid: String?
    public var errorCode: Int?
    public var attempts: Int
    public var carrierKey: String
    public var userID: String?
    public var from: String?
    public var kind: String?
    public var encoding: String?
    /// Nil once retention purged it.
    public var body: String?
    public var expiresAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    /// A text still `sent`: when the carrier is next asked about it; nil once reconciliation ended.
    public var reconcileAt: Date? = nil
    /// Lookups that found it still `sent`.
    public var reconcileLookups = 0
    /// When it reached a final state (or reconciliation ended for it).
    public var finalAt: Date? = nil
}
