import Foundation

public struct GroupSummary: Codable, Sendable, Equatable {
    public var org: String
    public var name: String
    public var members: Int
    public var createdAt: Date

    public init(org: String, name: String, members: Int, createdAt: Date) {
        self.org = org
        self.name = name
        self.members = members
        self.createdAt = createdAt
    }
}

public struct GroupShowResult: Codable, Sendable, Equatable {
    public var group: GroupSummary
    /// The first `limit` members, by contact id.
    public var members: [Member]

    public struct Member: Codable, Sendable, Equatable {
        public var contact: Int64
        public var externalId: String?
        public var name: String?
        /// Nil when the contact has no preferred SMS number: a broadcast rejects that member.
        public var preferredSms: String?

        public init(contact: Int64, externalId: String?, name: String?, preferredSms: String?) {
            self.contact = contact
            self.externalId = externalId
            self.name = name
            self.preferredSms = preferredSms
        }
    }

    public init(group: GroupSummary, members: [Member]) {
        self.group = group
        self.members = members
    }
}

/// What `group_add` / `group_remove` did with one request's members.
public struct GroupChangeResult: Codable, Sendable, Equatable {
    public var org: String
    public var name: String
    /// Added (or removed).
    public var changed: Int
    /// Already members (add) or not members (remove).
    public var unchanged: Int
    /// Members as named that match no contact of the organization, with why.
    public var unknown: [Unknown]

    public struct Unknown: Codable, Sendable, Equatable {
        public var member: String
        public var reason: String

        public init(member: String, reason: String) {
            self.member = member
            self.reason = reason
        }
    }

    public init(org: String, name: String, changed: Int, unchanged: Int, unknown: [Unknown]) {
        self.org = org
        self.name = name
        self.changed = changed
        self.unchanged = unchanged
        self.unknown = unknown
    }
}

public struct GroupDeleteResult: Codable, Sendable, Equatable {
    public var org: String
    public var name: String
    /// Members the group had.
    public var members: Int

    public init(org: String, name: String, members: Int) {
        self.org = org
        self.name = name
        self.members = members
    }
}

public struct BroadcastShowResult: Codable, Sendable, Equatable {
    public var id: Int64
    public var org: String
    public var sender: String
    public var group: String
    public var body: String
    /// `fanning_out` while members are still being turned into messages, then `done`.
    public var state: String
    public var members: Int
    public var accepted: Int
    public var rejected: Int
    public var createdAt: Date
    public var finishedAt: Date?
    public var counts: [Count]
    public var recipients: [Recipient]

    public struct Count: Codable, Sendable, Equatable {
        public var state: String
        public var reason: String?
        public var count: Int

        public init(state: String, reason: String?, count: Int) {
            self.state = state
            self.reason = reason
            self.count = count
        }
    }

    public struct Recipient: Codable, Sendable, Equatable {
        public var message: Int64
        public var to: String?
        public var state: String
        public var reason: String?
        public var detail: String?

        public init(message: Int64, to: String?, state: String, reason: String?, detail: String?) {
            self.message = message
            self.to = to
            self.state = state
            self.reason = reason
            self.detail = detail
        }
    }

    public init(
        id: Int64, org: String, sender: String, group: String, body: String, state: String, members: Int, accepted: Int,
        rejected: Int, createdAt: Date, finishedAt: Date?, counts: [Count], recipients: [Recipient]
    ) {
        self.id = id
        self.org = org
        self.sender = sender
        self.group = group
        self.body = body
        self.state = state
        self.members = members
        self.accepted = accepted
        self.rejected = rejected
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.counts = counts
        self.recipients = recipients
    }
}
