/// A carrier status callback, as parsed from the webhook.
public struct StatusReport: Sendable, Equatable {
    /// From the callback URL Herald gave the carrier, so a callback that overtakes the recording
    /// of its own POST still finds its message.
    public var messageID: Int64?
    public var sid: String
    public var status: String
    public var errorCode: Int?
    public var segments: Int?
    /// `segmentation = "client"`: which part of how many this callback is about, from the callback
    /// URL Herald gave that part.
    public var part: Int?
    public var parts: Int?

    public init(messageID: Int64?, sid: String, status: String, errorCode: Int?, segments: Int?, part: Int? = nil, parts: Int? = nil) {
        self.messageID = messageID
        self.sid = sid
        self.status = status
        self.errorCode = errorCode
        self.segments = segments
        self.part = part
        self.parts = parts
    }
}
