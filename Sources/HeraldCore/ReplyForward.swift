import Foundation

/// One inbound reply waiting to be mailed to the user it was sent to, with everything the mail
/// says: the store reads it in one query, the mailer only renders and sends it.
public struct ReplyForward: Sendable, Equatable {
    public var id: Int64
    public var inboundID: Int64
    public var orgID: String
    public var orgName: String
    /// The org's IANA timezone: the user reads the received time in their own wall clock.
    public var timeZone: String
    public var userID: String
    public var userName: String
    /// The user's Herald number the contact wrote to.
    public var userNumber: String
    public var toAddress: String
    public var contactNumber: String
    /// The contact's name when the number belongs to one of the org's contacts.
    public var contactName: String?
    public var text: String
    public var receivedAt: Date
    public var keyword: ReplyKeyword?
    /// Mails tried so far; kept in the row so a restart never resets them.
    public var attempts: Int

    public init(
        id: Int64, inboundID: Int64, orgID: String, orgName: String, timeZone: String, userID: String, userName: String,
        userNumber: String, toAddress: String, contactNumber: String, contactName: String?, text: String, receivedAt: Date,
        keyword: ReplyKeyword?, attempts: Int
    ) {
        self.id = id
        self.inboundID = inboundID
        self.orgID = orgID
        self.orgName = orgName
        self.timeZone = timeZone
        self.userID = userID
        self.userName = userName
        self.userNumber = userNumber
        self.toAddress = toAddress
        self.contactNumber = contactNumber
        self.contactName = contactName
        self.text = text
        self.receivedAt = receivedAt
        self.keyword = keyword
        self.attempts = attempts
    }

    /// Who wrote, as the user knows them: the contact's name and number, or the number alone.
    public var contact: String {
        contactName.map { "\($0) (\(contactNumber))" } ?? contactNumber
    }

    public var subject: String {
        "SMS reply from \(contact) to your number \(userNumber)"
    }

    /// The mail's text. A keyword is named because Herald already acted on it: the user should
    /// know the contact opted out before answering them.
    public var body: String {
        var lines = [
            "\(contact) replied to your Herald number \(userNumber):",
            "",
            text,
            "",
            "From:     \(contact)",
            "To:       \(userNumber) (\(userName), \(orgName))",
            "Received: \(Self.localTime(receivedAt, timeZone: timeZone))",
        ]
        if let keyword {
            lines.append("Keyword:  \(keyword.rawValue) - \(Self.explanation(keyword, org: orgName))")
        }
        lines += [
            "",
            "Answering this email does not text the contact; reply from Herald.",
            "Herald inbound message \(inboundID)",
        ]
        return lines.joined(separator: "\n")
    }

    static func explanation(_ keyword: ReplyKeyword, org: String) -> String {
        switch keyword {
        case .optOut: "the contact opted out of texts from \(org); Herald sent the opt-out confirmation"
        case .optIn: "the contact opted in to texts from \(org); Herald sent the confirmation"
        case .help: "the contact asked for help; Herald sent \(org)'s help text"
        }
    }

    /// `2027-01-15 02:00:00 CST (America/Chicago)`: a wall clock with its zone, never ambiguous.
    static func localTime(_ date: Date, timeZone identifier: String) -> String {
        let zone = TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")!
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss zzz"
        return "\(formatter.string(from: date)) (\(zone.identifier))"
    }
}
