import Foundation

/// One message the simulator took on, with where its delivery has got to.
public struct AcceptedMessage: Sendable, Equatable {
    public var sid: String
    public var from: String
    public var to: String
    public var body: String
    public var idempotencyKey: String?
    public var statusCallback: String?
    public var acceptedAt: Date
    public var numSegments: Int
    /// `queued`, then `sent`, then `delivered`, `undelivered` or `failed`.
    public var status: String
    public var errorCode: Int?
    /// When the carrier passed it on (`sent`): Twilio's `date_sent`, nil while it is queued.
    public var sentAt: Date? = nil
    /// The `Udh` field of a part posted on its own, as received (hex), and what it says.
    public var udh: String? = nil
    public var concatenation: UserDataHeader.Concatenation? = nil
}

extension AcceptedMessage: Encodable {
    enum CodingKeys: String, CodingKey {
        case sid, from, to, body, status
        case idempotencyKey = "idempotency_key"
        case statusCallback = "status_callback"
        case acceptedAt = "accepted_at"
        case sentAt = "sent_at"
        case numSegments = "num_segments"
        case errorCode = "error_code"
        case udh, concatenation
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sid, forKey: .sid)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(body, forKey: .body)
        try container.encode(status, forKey: .status)
        // Explicit nulls keep every audit row the same shape.
        try container.encode(idempotencyKey, forKey: .idempotencyKey)
        try container.encode(statusCallback, forKey: .statusCallback)
        try container.encode(TwilioDate.iso8601(acceptedAt), forKey: .acceptedAt)
        try container.encode(sentAt.map(TwilioDate.iso8601), forKey: .sentAt)
        try container.encode(numSegments, forKey: .numSegments)
        try container.encode(errorCode, forKey: .errorCode)
        try container.encode(udh, forKey: .udh)
        try container.encode(concatenation, forKey: .concatenation)
    }
}
