/// Answers of the organization, user, template and credits commands.

public struct OrganizationResult: Codable, Sendable, Equatable {
    public var org: String
    public var name: String
    /// `config`: defined in herald.toml, changed there; `admin`: made with heraldctl.
    public var managedBy: String
    public var paused: Bool
    public var timezone: String
    public var windowStart: String
    public var windowEnd: String
    /// nil: every day.
    public var weekdays: String?
    public var smartEncoding: Bool
    /// nil: Herald's standard wording.
    public var optinTemplate: String?
    public var optinConfirmation: String?
    public var optoutConfirmation: String?
    public var helpText: String?
    public var users: [UserResult]

    public init(
        org: String, name: String, managedBy: String, paused: Bool, timezone: String, windowStart: String, windowEnd: String,
        weekdays: String?, smartEncoding: Bool, optinTemplate: String?, optinConfirmation: String?, optoutConfirmation: String?,
        helpText: String?, users: [UserResult]
    ) {
        self.org = org
        self.name = name
        self.managedBy = managedBy
        self.paused = paused
        self.timezone = timezone
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.weekdays = weekdays
        self.smartEncoding = smartEncoding
        self.optinTemplate = optinTemplate
        self.optinConfirmation = optinConfirmation
        self.optoutConfirmation = optoutConfirmation
        self.helpText = helpText
        self.users = users
    }
}

public struct OrganizationListResult: Codable, Sendable, Equatable {
    public var organizations: [OrganizationResult]

    public init(organizations: [OrganizationResult]) {
        self.organizations = organizations
    }
}

public struct UserResult: Codable, Sendable, Equatable {
    public var org: String
    public var user: String
    public var name: String
    public var managedBy: String
    public var paused: Bool
    public var cellPhone: String?
    public var email: String?
    public var signature: String?
    /// The active provisioned number.
    public var number: String?
    /// nil: not metered.
    public var credits: Int?

    public init(
        org: String, user: String, name: String, managedBy: String, paused: Bool, cellPhone: String?, email: String?, signature: String?,
        number: String?, credits: Int?
    ) {
        self.org = org
        self.user = user
        self.name = name
        self.managedBy = managedBy
        self.paused = paused
        self.cellPhone = cellPhone
        self.email = email
        self.signature = signature
        self.number = number
        self.credits = credits
    }
}

public struct UserListResult: Codable, Sendable, Equatable {
    public var org: String
    public var users: [UserResult]

    public init(org: String, users: [UserResult]) {
        self.org = org
        self.users = users
    }
}

public struct TemplateResult: Codable, Sendable, Equatable {
    public var org: String
    public var template: String
    public var text: String
    public var variables: [String]

    public init(org: String, template: String, text: String, variables: [String]) {
        self.org = org
        self.template = template
        self.text = text
        self.variables = variables
    }
}

public struct TemplateListResult: Codable, Sendable, Equatable {
    public var org: String
    public var templates: [TemplateResult]

    public init(org: String, templates: [TemplateResult]) {
        self.org = org
        self.templates = templates
    }
}

public struct CreditsAllocateResult: Codable, Sendable, Equatable {
    public var org: String
    public var user: String
    /// nil: the user was not metered before.
    public var old: Int?
    public var new: Int
    /// Messages held `no_credits` made due again.
    public var released: Int

    public init(org: String, user: String, old: Int?, new: Int, released: Int) {
        self.org = org
        self.user = user
        self.old = old
        self.new = new
        self.released = released
    }
}

public struct CreditsShowResult: Codable, Sendable, Equatable {
    public var org: String
    /// The calendar month in the org's timezone, `2026-12`.
    public var month: String
    /// Segments the whole organization used this month, all users together.
    public var orgUsedThisMonth: Int
    public var users: [Balance]

    public struct Balance: Codable, Sendable, Equatable {
        public var user: String
        public var name: String
        /// nil: not metered.
        public var credits: Int?
        public var usedThisMonth: Int
        /// Messages held `no_credits`.
        public var held: Int

        public init(user: String, name: String, credits: Int?, usedThisMonth: Int, held: Int) {
            self.user = user
            self.name = name
            self.credits = credits
            self.usedThisMonth = usedThisMonth
            self.held = held
        }
    }

    public init(org: String, month: String, orgUsedThisMonth: Int, users: [Balance]) {
        self.org = org
        self.month = month
        self.orgUsedThisMonth = orgUsedThisMonth
        self.users = users
    }
}
