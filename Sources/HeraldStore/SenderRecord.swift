import HeraldCore

public struct SenderRecord: Sendable, Equatable {
    public var userID: String
    public var name: String
    public var number: String
    public var numberType: String
    public var rate: Double
    public var autoReply: AutoReply?
    public var cellPhone: String?
    public var signature: String?
    public var email: String?
    /// Replies to the user's number are mailed to `email` when forwarding is on.
    public var forwardReplies: Bool

    public init(
        userID: String, name: String, number: String, numberType: String, rate: Double, autoReply: AutoReply? = nil,
        cellPhone: String? = nil, signature: String? = nil, email: String? = nil, forwardReplies: Bool = false
    ) {
        self.cellPhone = cellPhone
        self.signature = signature
        self.autoReply = autoReply
        self.email = email
        self.forwardReplies = forwardReplies
        self.userID = userID
        self.name = name
        self.number = number
        self.numberType = numberType
        self.rate = rate
    }
}
