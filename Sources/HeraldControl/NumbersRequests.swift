/// Requests of the numbers commands (docs/domain.md, docs/carrier.md, docs/admin.md): buy a number per user, release users'
/// numbers, list who sends from what.

/// Where `numbers_provision` looks for each user's number.
public enum AreaCodeChoice: Sendable, Equatable {
    /// The area code of the user's own cell phone, so contacts see a familiar local number.
    case matchCellPhone
    /// One area code for every user named, three digits.
    case given(String)
}

/// `numbers_provision`: one local number per user, bought with Herald's webhooks set.
public struct NumbersProvisionRequest: Sendable, Equatable {
    public var org: String
    public var users: [String]
    public var areaCode: AreaCodeChoice

    public init(org: String, users: [String], areaCode: AreaCodeChoice) {
        self.org = org
        self.users = users
        self.areaCode = areaCode
    }
}

/// `numbers_release`: gives users' numbers back to the carrier. Release is irreversible (the
/// number goes back on sale), so without `confirm` heraldd changes nothing and refuses, saying
/// which numbers would go and how many waiting texts would be held.
public struct NumbersReleaseRequest: Sendable, Equatable {
    public var org: String
    public var users: [String]
    public var confirm: Bool

    public init(org: String, users: [String], confirm: Bool) {
        self.org = org
        self.users = users
        self.confirm = confirm
    }
}

extension AdminCommand {
    /// The numbers commands from the fields of a request line (see `AdminRequest.decode`).
    static func numbers(
        _ name: String, org: String?, users: [String]?, areaCode: String?, matchCellAreaCode: Bool?, confirm: Bool?
    ) throws(AdminError) -> AdminCommand {
        guard let org else { throw AdminError(.badRequest, "\(name) needs \"org\"") }
        if name == "numbers_list" { return .numbersList(org: org) }
        guard let users, !users.isEmpty else { throw AdminError(.badRequest, "\(name) needs \"users\": a list of user ids") }
        if name == "numbers_release" { return .numbersRelease(NumbersReleaseRequest(org: org, users: users, confirm: confirm ?? false)) }
        switch (areaCode, matchCellAreaCode ?? false) {
        case (nil, true):
            return .numbersProvision(NumbersProvisionRequest(org: org, users: users, areaCode: .matchCellPhone))
        case let (areaCode?, false):
            guard areaCode.utf8.count == 3, areaCode.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
                throw AdminError(.badRequest, "area_code must be three digits, e.g. \"612\", not \(String(reflecting: areaCode))")
            }
            return .numbersProvision(NumbersProvisionRequest(org: org, users: users, areaCode: .given(areaCode)))
        default:
            throw AdminError(.badRequest, "numbers_provision takes either \"area_code\" or \"match_cell_area_code\":true")
        }
    }
}
