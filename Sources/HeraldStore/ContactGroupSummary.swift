import Foundation

/// Contact groups: per organization, unique by name; members are contacts, not numbers, so a
/// broadcast texts whichever number each contact prefers when it goes.
public enum ContactGroups {
    public static let maxNameLength = 100
}

public struct ContactGroupSummary: Sendable, Equatable {
    public var id: Int64
    public var org: String
    public var name: String
    public var members: Int
    public var createdAt: Date
}

public struct ContactGroupMember: Sendable, Equatable {
    public var contactID: Int64
    public var externalID: String?
    public var name: String?
    /// Nil when the contact has no preferred SMS number: a broadcast rejects that member.
    public var preferredNumber: String?
}
