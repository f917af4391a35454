import Foundation

/// The fields Herald reads from a Twilio-style Messages response, success or error.
///
/// Every field is optional and leniently typed: real carriers and compatible gateways send
/// `num_segments` as a string or a number, `error_code` as a number, a string or null, and
/// `status` as a message state on success but an HTTP status number in error bodies.
struct TwilioResponseBody: Decodable {
    var sid: String?
    var status: String?
    var numSegments: Int?
    var errorCode: Int?
    var errorMessage: String?
    /// Error bodies: `{"code": 21211, "message": "…", "status": 400}`.
    var code: Int?
    var message: String?

    private enum CodingKeys: String, CodingKey {
        case sid, status, code, message
        case numSegments = "num_segments"
        case errorCode = "error_code"
        case errorMessage = "error_message"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sid = try? container.decodeIfPresent(String.self, forKey: .sid)
        status = try? container.decodeIfPresent(String.self, forKey: .status)
        numSegments = Self.lenientInt(container, .numSegments)
        errorCode = Self.lenientInt(container, .errorCode)
        errorMessage = try? container.decodeIfPresent(String.self, forKey: .errorMessage)
        code = Self.lenientInt(container, .code)
        message = try? container.decodeIfPresent(String.self, forKey: .message)
    }

    /// The carrier's error code, from whichever shape of body carried it.
    var anyErrorCode: Int? { code ?? errorCode }
    var anyErrorMessage: String? { message ?? errorMessage }

    private static func lenientInt(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) -> Int? {
        if let value = try? container.decodeIfPresent(Int.self, forKey: key) { return value }
        if let text = try? container.decodeIfPresent(String.self, forKey: key) {
            return Int(text.trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
