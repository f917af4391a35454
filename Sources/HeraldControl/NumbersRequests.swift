/// Parameters of the numbers commands (docs/domain.md, docs/carrier.md, docs/admin.md): buy a
/// number per user, release users' numbers, list who sends from what (`numbers_list` takes an
/// `OrganizationRef`).

/// Where `numbers_provision` looks for each user's number.
public enum AreaCodeChoice: Sendable, Equatable {
    /// The area code of the user's own cell phone, so contacts see a familiar local number.
    case matchCellPhone
    /// One area code for every user named, three digits.
    case given(String)
}

/// `numbers_provision`: one local number per user, bought with Herald's webhooks set. On the
/// wire, either `area_code` or `match_cell_area_code: true`.
public struct NumbersProvisionRequest: AdminParameters {
    public var org: String
    public var users: [String]
    public var areaCode: String?
    public var matchCellAreaCode: Bool?

    public init(org: String, users: [String], areaCode: AreaCodeChoice) {
        self.org = org
        self.users = users
        switch areaCode {
        case .matchCellPhone: matchCellAreaCode = true
        case let .given(code): self.areaCode = code
        }
    }

    public var choice: AreaCodeChoice {
        get throws(AdminError) {
            switch (areaCode, matchCellAreaCode ?? false) {
            case (nil, true): return .matchCellPhone
            case let (code?, false):
                guard code.utf8.count == 3, code.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
                    throw AdminError(.badRequest, "area_code must be three digits, e.g. \"612\", not \(String(reflecting: code))")
                }
                return .given(code)
            default:
                throw AdminError(.badRequest, "numbers_provision takes either \"area_code\" or \"match_cell_area_code\":true")
            }
        }
    }

    public func validate(as command: String) throws(AdminError) {
        try requireUsers(users, command)
        _ = try choice
    }
}

/// `numbers_release`: gives users' numbers back to the carrier. Release is irreversible (the
/// number goes back on sale), so without `confirm` heraldd changes nothing and refuses, saying
/// which numbers would go and how many waiting texts would be held.
public struct NumbersReleaseRequest: AdminParameters {
    public var org: String
    public var users: [String]
    public var confirm: Bool

    public init(org: String, users: [String], confirm: Bool) {
        self.org = org
        self.users = users
        self.confirm = confirm
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        org = try fields.decode(String.self, forKey: .org)
        users = try fields.decode([String].self, forKey: .users)
        confirm = try fields.decodeIfPresent(Bool.self, forKey: .confirm) ?? false
    }

    public func validate(as command: String) throws(AdminError) {
        try requireUsers(users, command)
    }
}

private func requireUsers(_ users: [String], _ command: String) throws(AdminError) {
    guard !users.isEmpty else { throw AdminError(.badRequest, "\(command) needs \"users\": a list of user ids") }
}
