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
}
