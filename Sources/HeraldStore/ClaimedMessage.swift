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
    /// The last post may have reached the carrier without an answer (held `outcome_lookup`): ask
    /// the carrier before posting again.
    public var lookUpFirst = false
    /// No post of this message is older than this: where a search of the carrier's list starts.
    public var postedSince: Date
    /// Client-segmented texts: the parts the carrier already took, by part number, with their
    /// sids. A retry posts only the others, so no part reaches the recipient twice.
    public var acceptedParts: [Int: String] = [:]

    public init(
        id: Int64, orgID: String, userID: String, from: String, to: String, body: String, segments: Int, attempts: Int,
        carrierKey: String, expiresAt: Date?, lookUpFirst: Bool = false, postedSince: Date, acceptedParts: [Int: String] = [:]
    ) {
        self.id = id
        self.orgID = orgID
        self.userID = userID
        self.from = from
        self.to = to
        self.body = body
        self.segments = segments
        self.attempts = attempts
        self.carrierKey = carrierKey
        self.expiresAt = expiresAt
        self.lookUpFirst = lookUpFirst
        self.postedSince = postedSince
        self.acceptedParts = acceptedParts
    }
}
