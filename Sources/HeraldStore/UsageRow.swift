public struct UsageRow: Sendable, Equatable, Codable {
    public var org: String
    public var user: String
    public var month: String
    public var messages: Int
    public var segments: Int
}
