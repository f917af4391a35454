import Foundation

public struct BroadcastRecord: Sendable, Equatable {
    public var id: Int64
    public var org: String
    public var sender: String
    public var group: String
    public var body: String
    public var state: String
    public var members: Int
    public var accepted: Int
    public var rejected: Int
    public var createdAt: Date
    public var finishedAt: Date?
}

/// How many of a broadcast's messages are in one state, for one reason.
public struct BroadcastTally: Sendable, Equatable {
    public var state: String
    public var reason: String?
    public var count: Int

    public init(state: String, reason: String?, count: Int) {
        self.state = state
        self.reason = reason
        self.count = count
    }
}

public struct BroadcastRecipient: Sendable, Equatable {
    public var messageID: Int64
    public var to: String?
    public var state: String
    public var reason: String?
    public var detail: String?
}
