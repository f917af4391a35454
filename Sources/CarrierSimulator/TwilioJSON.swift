import Foundation
import Hummingbird

/// The Messages resource as the carrier renders it. Twilio sends `num_segments` as a string
/// and `error_code` as a number or null, and clients parse exactly that, so this keeps the quirks.
struct MessageResource: Encodable {
    var message: AcceptedMessage
    var accountSID: String

    enum CodingKeys: String, CodingKey {
        case sid, status, to, from, body, direction, uri, price
        case accountSID = "account_sid"
        case apiVersion = "api_version"
        case numSegments = "num_segments"
        case numMedia = "num_media"
        case errorCode = "error_code"
        case errorMessage = "error_message"
        case dateCreated = "date_created"
        case dateUpdated = "date_updated"
        case dateSent = "date_sent"
        case priceUnit = "price_unit"
        case messagingServiceSID = "messaging_service_sid"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message.sid, forKey: .sid)
        try container.encode(accountSID, forKey: .accountSID)
        try container.encode(MessagesAPI.apiVersion, forKey: .apiVersion)
        try container.encode(message.status, forKey: .status)
        try container.encode(message.to, forKey: .to)
        try container.encode(message.from, forKey: .from)
        try container.encode(message.body, forKey: .body)
        try container.encode("outbound-api", forKey: .direction)
        try container.encode(String(message.numSegments), forKey: .numSegments)
        try container.encode("0", forKey: .numMedia)
        try container.encode(message.errorCode, forKey: .errorCode)
        try container.encode(message.errorCode.map(DeliveryErrorText.describe), forKey: .errorMessage)
        let created = TwilioDate.rfc2822(message.acceptedAt)
        try container.encode(created, forKey: .dateCreated)
        try container.encode(created, forKey: .dateUpdated)
        try container.encode(message.sentAt.map(TwilioDate.rfc2822), forKey: .dateSent)
        try container.encodeNil(forKey: .price)
        try container.encode("USD", forKey: .priceUnit)
        try container.encodeNil(forKey: .messagingServiceSID)
        try container.encode("/\(MessagesAPI.apiVersion)/Accounts/\(accountSID)/Messages/\(message.sid).json", forKey: .uri)
    }
}

/// Twilio's error body: `{"code":…, "message":…, "more_info":…, "status":…}`.
struct ErrorResource: Encodable {
    var code: Int
    var message: String
    var status: Int

    enum CodingKeys: String, CodingKey {
        case code, message, status
        case moreInfo = "more_info"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        try container.encode("https://www.twilio.com/docs/errors/\(code)", forKey: .moreInfo)
        try container.encode(status, forKey: .status)
    }
}

enum DeliveryErrorText {
    static func describe(_ code: Int) -> String {
        switch code {
        case 30001: "Queue overflow"
        case 30002: "Account suspended"
        case 30003: "Unreachable destination handset"
        case 30004: "Message blocked"
        case 30005: "Unknown destination handset"
        case 30006: "Landline or unreachable carrier"
        case 30007: "Message filtered"
        case 30008: "Unknown error"
        default: "Delivery failed with error \(code)"
        }
    }
}

/// Building HTTP answers. Encoding failures cannot happen for these plain value types, so they
/// surface as a 500 rather than being threaded through every handler.
enum JSONReply {
    static func encode(_ value: some Encodable) -> [UInt8] {
        do {
            // Sorted keys make answers byte-for-byte repeatable, which audits and diffs rely on.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return Array(try encoder.encode(value))
        } catch {
            return Array(#"{"code":20500,"message":"simulator could not encode its answer","status":500}"#.utf8)
        }
    }

    static func response(status: Int, bytes: [UInt8], headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func response(status: Int, _ value: some Encodable, headers: HTTPFields = [:]) -> Response {
        response(status: status, bytes: encode(value), headers: headers)
    }

    static func error(status: Int, code: Int, message: String, headers: HTTPFields = [:]) -> Response {
        response(status: status, ErrorResource(code: code, message: message, status: status), headers: headers)
    }

    static func error(_ reply: CarrierErrorReply) -> Response {
        error(status: reply.status, code: reply.code, message: reply.message)
    }
}
