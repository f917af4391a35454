/// The organizations and sender numbers ingest and dispatch consult: plain values the store
/// loads, so the rules can be tested without a database.
public struct OrganizationProfile: Sendable, Equatable {
    public var id: String
    public var name: String
    public var timeZone: String
    public var paused: Bool
    /// When held kinds may go out (docs/windows.md rule 1), in the org's timezone.
    public var window: SendingWindow
    /// Look-alike punctuation becomes GSM-7 before segmenting (docs/segments.md), off by default.
    public var smartEncoding: Bool
    /// What Herald says on the org's behalf: opt-in request, confirmations, HELP answer.
    public var consentTexts: ConsentTexts
    /// Named texts producers' outbox rows may use (`outbox.template`), by name.
    public var templates: [String: MessageTemplate]

    public init(
        id: String, name: String, timeZone: String, paused: Bool = false, smartEncoding: Bool = false,
        window: SendingWindow = .default, consentTexts: ConsentTexts = .standard, templates: [String: MessageTemplate] = [:]
    ) {
        self.consentTexts = consentTexts
        self.templates = templates
        self.id = id
        self.name = name
        self.timeZone = timeZone
        self.paused = paused
        self.window = window
        self.smartEncoding = smartEncoding
    }
}

public struct SenderProfile: Sendable, Equatable {
    public var orgID: String
    public var userID: String
    /// The user's active provisioned number, E.164.
    public var number: String
    /// Segments per second this number may send (docs/carrier.md: by number type, overridable).
    public var rate: Double
    public var paused: Bool
    /// The user's name, as `{user_name}` in the org's texts.
    public var name: String
    /// The text that answers a contact's conversation reply, if the user set one.
    public var autoReply: AutoReply?
    /// Appended to the user's conversational, journey and bulk texts (docs/domain.md), counted in segments.
    public var signature: String?

    public init(
        orgID: String, userID: String, number: String, rate: Double, paused: Bool = false, name: String? = nil,
        autoReply: AutoReply? = nil, signature: String? = nil
    ) {
        self.name = name ?? userID
        self.signature = signature
        self.autoReply = autoReply
        self.orgID = orgID
        self.userID = userID
        self.number = number
        self.rate = rate
        self.paused = paused
    }
}

public struct Directory: Sendable {
    public private(set) var organizations: [String: OrganizationProfile] = [:]
    private var sendersByUser: [String: SenderProfile] = [:]
    private var sendersByNumber: [String: SenderProfile] = [:]

    public init(organizations: [OrganizationProfile], senders: [SenderProfile]) {
        for org in organizations { self.organizations[org.id] = org }
        for sender in senders {
            sendersByUser[Self.userKey(sender.orgID, sender.userID)] = sender
            sendersByNumber[sender.number] = sender
        }
    }

    public func organization(_ id: String) -> OrganizationProfile? { organizations[id] }

    /// A producer names its sender by user id or by the number itself.
    public func sender(org: String, named name: String) -> SenderProfile? {
        if let byUser = sendersByUser[Self.userKey(org, name)] { return byUser }
        if let byNumber = sendersByNumber[name], byNumber.orgID == org { return byNumber }
        return nil
    }

    public func sender(number: String) -> SenderProfile? { sendersByNumber[number] }

    public var senders: [SenderProfile] { Array(sendersByNumber.values) }

    /// A consent text of `org`, filled in for `sender`; nil for an org or sender not configured.
    public func consentText(_ purpose: ConsentTexts.Purpose, org: String, sender: SenderProfile) -> String? {
        guard let organization = organizations[org] else { return nil }
        return try? organization.consentTexts.render(purpose, orgName: organization.name, userName: sender.name)
    }

    private static func userKey(_ org: String, _ user: String) -> String { org + "\u{1F}" + user }
}
