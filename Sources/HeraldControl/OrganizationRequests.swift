/// Requests of the organization, user, template and credits commands (docs/domain.md). Fields the
/// admin leaves out are not changed; an empty text clears an optional one.

/// `org_create` and `org_set`: the org and the settings to set, side by side on the wire
/// (`{"org":"west","name":"Acme West"}`); `org_create` needs `name`, `org_set` at least one field.
public struct OrganizationRequest: AdminParameters {
    public var org: String
    public var fields: OrganizationFields

    public init(org: String, _ fields: OrganizationFields) {
        self.org = org
        self.fields = fields
    }

    private enum CodingKeys: String, CodingKey {
        case org
    }

    public init(from decoder: any Decoder) throws {
        org = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .org)
        fields = try OrganizationFields(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(org, forKey: .org)
        try fields.encode(to: encoder)
    }

    public func validate(as command: String) throws(AdminError) {
        if command == Admin.orgCreate.name, fields.name == nil { throw AdminError(.badRequest, "\(command) needs \"name\"") }
        if command == Admin.orgSet.name, fields.isEmpty { throw AdminError(.badRequest, "\(command) needs at least one field to change") }
    }
}

/// The settings of an organization an admin may set; nil leaves one unchanged.
public struct OrganizationFields: FlattenedParameters {
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

/// `user_add` (needs `name`) and `user_set` (needs a field to change).
public struct UserFields: AdminParameters {
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

    public func validate(as command: String) throws(AdminError) {
        if command == Admin.userAdd.name, name == nil { throw AdminError(.badRequest, "\(command) needs \"name\"") }
        if command == Admin.userSet.name, name == nil, cellPhone == nil, email == nil, signature == nil, forwardReplies == nil {
            throw AdminError(.badRequest, "\(command) needs at least one of name, cell_phone, email, signature, forward_replies")
        }
    }
}

/// `template_set`: an org's named template, created or replaced.
public struct TemplateRequest: AdminParameters {
    public var org: String
    public var template: String
    public var text: String

    public init(org: String, template: String, text: String) {
        self.org = org
        self.template = template
        self.text = text
    }
}

/// `template_delete`.
public struct TemplateRef: AdminParameters {
    public var org: String
    public var template: String

    public init(org: String, template: String) {
        self.org = org
        self.template = template
    }
}

/// `credits_show`: an org's users' balances, or one user's.
public struct CreditsShowRequest: AdminParameters {
    public var org: String
    public var user: String?

    public init(org: String, user: String? = nil) {
        self.org = org
        self.user = user
    }
}

/// `credits_allocate`: adds `segments` to the user's credits, or sets them with `exactly`.
public struct CreditsAllocateRequest: AdminParameters {
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

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        org = try fields.decode(String.self, forKey: .org)
        user = try fields.decode(String.self, forKey: .user)
        segments = try fields.decode(Int.self, forKey: .segments)
        exactly = try fields.decodeIfPresent(Bool.self, forKey: .exactly) ?? false
        by = try fields.decodeIfPresent(String.self, forKey: .by)
        note = try fields.decodeIfPresent(String.self, forKey: .note)
    }

    public func validate(as command: String) throws(AdminError) {
        guard exactly ? segments >= 0 : segments > 0 else {
            throw AdminError(.badRequest, exactly ? "credits_allocate with exactly needs segments >= 0" : "credits_allocate adds segments > 0 (exactly:true sets a balance)")
        }
    }
}
