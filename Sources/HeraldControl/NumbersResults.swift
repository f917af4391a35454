import Foundation

/// Why one user's part of a numbers command was not done; the others still were.
public struct NumbersFailure: Error, Codable, Sendable, Equatable {
    /// Stable, for scripts: one of the `NumbersFailure.Code` raw values.
    public var code: String
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code.rawValue
        self.message = message
    }

    public enum Code: String, Sendable, CaseIterable {
        case unknownUser = "unknown_user"
        /// `match_cell_area_code` for a user without a (valid) cell phone on record.
        case noCellPhone = "no_cell_phone"
        case hasNumber = "has_number"
        /// The carrier has no local number left in the area code.
        case noNumbers = "no_numbers"
        case noNumber = "no_number"
        /// A number written in the configuration: Herald did not buy it and cannot release it.
        case configured
        /// The carrier refused or could not be reached; the message says what to do.
        case carrier
        case duplicate
        case failed
    }
}

/// `numbers_provision`: one outcome per user named, in the order given.
public struct NumbersProvisionResult: Codable, Sendable, Equatable {
    public var org: String
    public var users: [NumberProvisionOutcome]

    public init(org: String, users: [NumberProvisionOutcome]) {
        self.org = org
        self.users = users
    }
}

public struct NumberProvisionOutcome: Codable, Sendable, Equatable {
    public var user: String
    /// The area code searched, when the user got that far.
    public var areaCode: String?
    public var number: String?
    public var carrierSid: String?
    public var error: NumbersFailure?

    public init(user: String, areaCode: String?, number: String? = nil, carrierSid: String? = nil, error: NumbersFailure? = nil) {
        self.user = user
        self.areaCode = areaCode
        self.number = number
        self.carrierSid = carrierSid
        self.error = error
    }
}

/// `numbers_release` with `confirm`: one outcome per user named, in the order given.
public struct NumbersReleaseResult: Codable, Sendable, Equatable {
    public var org: String
    public var users: [NumberReleaseOutcome]

    public init(org: String, users: [NumberReleaseOutcome]) {
        self.org = org
        self.users = users
    }
}

public struct NumberReleaseOutcome: Codable, Sendable, Equatable {
    public var user: String
    public var number: String?
    /// Messages from the number Herald still held, now `sender_released`.
    public var held: [Int64]
    /// The carrier no longer had the number (released in its console, say); Herald detached it anyway.
    public var alreadyReleasedAtCarrier: Bool
    public var error: NumbersFailure?

    public init(user: String, number: String?, held: [Int64] = [], alreadyReleasedAtCarrier: Bool = false, error: NumbersFailure? = nil) {
        self.user = user
        self.number = number
        self.held = held
        self.alreadyReleasedAtCarrier = alreadyReleasedAtCarrier
        self.error = error
    }
}

/// `numbers_list`: every user of the organization, with or without a number.
public struct NumbersListResult: Codable, Sendable, Equatable {
    public var org: String
    public var users: [UserNumberEntry]

    public init(org: String, users: [UserNumberEntry]) {
        self.org = org
        self.users = users
    }
}

public struct UserNumberEntry: Codable, Sendable, Equatable {
    public var user: String
    public var name: String
    public var number: String?
    public var cellPhone: String?
    /// Nil for a number from the configuration.
    public var carrierSid: String?
    public var provisionedAt: Date?

    public init(user: String, name: String, number: String?, cellPhone: String?, carrierSid: String?, provisionedAt: Date?) {
        self.user = user
        self.name = name
        self.number = number
        self.cellPhone = cellPhone
        self.carrierSid = carrierSid
        self.provisionedAt = provisionedAt
    }
}
