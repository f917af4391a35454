public struct InboundReport: Sendable, Equatable {
    public var from: String
    public var to: String
    public var body: String
    public var sid: String?

    public init(from: String, to: String, body: String, sid: String?) {
        self.from = from
        self.to = to
        self.body = body
        self.sid = sid
    }
}
