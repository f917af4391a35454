/// Requests of the organization, user, template and credits commands (docs/domain.md). Fields the
/// admin leaves out are not changed; an empty text clears an optional one.

/// `org_create` and `org_set`: every field optional on the wire; `org_create` needs `name`.
public struct OrganizationFields: Codable, Sendable, Equatable {
    public var name: String?
    public var timezone: String?
    public var windowStart: String?
    public var windowEnd: String?
    /// `mon,tue,…`, or `all` / empty for every day.
    public var weekdays: String?
    public var smartEncoding: Bool?
    public var optinTemplate: String?
    public var optinConfirmation: String?
    public var optoutConfirmation: String?
    public var helpText: String?

    public init(
        name: String? = nil, timezone: String? = nil, windowStart: String? = nil, windowEnd: String? = nil, weekdays: String? = nil,
        smartEncoding: Bool? = nil, optinTemplate: String? = nil, optinConfirmation: String? = nil, optoutConfirmation: String? = nil,
        helpText: String? = nil
    ) {
        self.name = name
        self.timezone = timezone
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.weekdays = weekdays
        self.smartEncoding = smartEncoding
        self.optinTemplate = optinTemplate
        self.optinConfirmation = optinConfirmation
        self.optoutConfirmation = optoutConfirmation
        self.helpText = helpText
    }

    public var isEmpty: Bool { self == OrganizationFields() }
}

/// `user_add` (needs `name`) and `user_set`.
public struct UserFields: Codable, Sendable, Equatable {
    public var org: String
    public var user: String
    public var name: String?
    public var cellPhone: String?
    public var email: String?
    public var signature: String?
    public var forwardReplies: Bool?

    public init(
        org: String, user: String, name: String? = nil, cellPhone: String? = nil, email: String? = nil, signature: String? = nil,
        forwardReplies: Bool? = nil
    ) {
        self.forwardReplies = forwardReplies
        self.org = org
        self.user = user
        self.name = name
        self.cellPhone = cellPhone
        self.email = email
        self.signature = signature
    }
}

/// `credits_allocate`: adds `segments` to the user's credits, or sets them with `exactly`.
public struct CreditsAllocateRequest: Codable, Sendable, Equatable {
    public var org: String
    public var user: String
    public var segments: Int
    public var exactly: Bool
    /// Who allocates, recorded with the allocation; the peer's user name when left out.
    public var by: String?
    public var note: String?

    public init(org: String, user: String, segments: Int, exactly: Bool = false, by: String? = nil, note: String? = nil) {
        self.org = org
        self.user = user
        self.segments = segments
        self.exactly = exactly
        self.by = by
        self.note = note
    }
}
