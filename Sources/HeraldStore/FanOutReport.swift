/// What one fan-out batch did: the broadcast it served and its members' messages.
public struct FanOutReport: Sendable, Equatable {
    public var broadcastID: Int64
    public var orgID: String
    /// Members taken in this batch; each became exactly one message.
    public var members: Int
    public var messages: IngestReport
    /// The broadcast has no members left to fan out.
    public var finished: Bool
}
