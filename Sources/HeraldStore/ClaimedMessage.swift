import Foundation

/// A message now durably `sending`, with what the POST needs.
public struct ClaimedMessage: Sendable, Equatable {
    public var id: Int64
    public var orgID: String
    public var userID: String
    public var from: String
    public var to: String
    public var body: String
    public var segments: Int
    /// Posts made so far, this one included.
    public var attempts: Int
    public var carrierKey: String
    public var expiresAt: Date?
}
