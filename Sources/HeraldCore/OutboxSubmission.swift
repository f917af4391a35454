import Foundation

/// One row as a producer wrote it into `outbox`: raw text, not yet trusted.
public struct OutboxSubmission: Sendable, Equatable {
    public var id: Int64
    public var org: String?
    public var sender: String?
    public var toNumber: String?
    public var body: String?
    public var kind: String?
    public var sendAt: String?
    public var expiresAt: String?
    public var externalRef: String?
    public var idempotencyKey: String?
    /// The name of one of the organization's templates, used instead of `body`.
    public var template: String?
    /// A JSON object of the template's variables, as the producer wrote it.
    public var variables: String?
    /// What the store knows of the recipient (`first_name`, `last_name` of the contact the number
    /// belongs to): template variables the producer need not repeat.
    public var recipientFields: [String: String]

    public init(
        id: Int64, org: String?, sender: String?, toNumber: String?, body: String?, kind: String?,
        sendAt: String? = nil, expiresAt: String? = nil, externalRef: String? = nil, idempotencyKey: String? = nil,
        template: String? = nil, variables: String? = nil, recipientFields: [String: String] = [:]
    ) {
        self.template = template
        self.variables = variables
        self.recipientFields = recipientFields
        self.id = id
        self.org = org
        self.sender = sender
        self.toNumber = toNumber
        self.body = body
        self.kind = kind
        self.sendAt = sendAt
        self.expiresAt = expiresAt
        self.externalRef = externalRef
        self.idempotencyKey = idempotencyKey
    }
}

/// A submission that passed every check: what the store inserts into `message`.
public struct ValidatedSubmission: Sendable, Equatable {
    public var orgID: String
    public var userID: String
    public var from: String
    public var to: PhoneNumber
    public var body: String
    public var kind: MessageKind
    public var segments: Int
    public var encoding: SMSEncoding
    public var state: MessageState
    public var heldReason: HeldReason?
    public var notBefore: Date
    public var expiresAt: Date?
}
