import Foundation

public struct InboundSnapshot: Sendable, Equatable {
    public var id: Int64
    public var orgID: String?
    public var from: String
    public var to: String
    public var body: String?
    public var receivedAt: Date
    public var keyword: String?
}
