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
        // Twilio writes num_segments as a string: tried first, so the common answer throws nothing.
        numSegments = Self.lenientInt(container, .numSegments, stringFirst: true)
        errorCode = Self.lenientInt(container, .errorCode)
        errorMessage = try? container.decodeIfPresent(String.self, forKey: .errorMessage)
        code = Self.lenientInt(container, .code)
        message = try? container.decodeIfPresent(String.self, forKey: .message)
    }

    /// The carrier's error code, from whichever shape of body carried it.
    var anyErrorCode: Int? { code ?? errorCode }
    var anyErrorMessage: String? { message ?? errorMessage }

    /// A number, or a string holding one. A failed attempt throws a `DecodingError`, whose
    /// description costs more than the rest of the body: the expected shape goes first.
    private static func lenientInt(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys, stringFirst: Bool = false) -> Int? {
        guard container.contains(key), (try? container.decodeNil(forKey: key)) == false else { return nil }
        func number() -> Int? { try? container.decode(Int.self, forKey: key) }
        func text() -> Int? {
            guard let text = try? container.decode(String.self, forKey: key) else { return nil }
            return Int(text) ?? Int(text.trimmingCharacters(in: .whitespaces))
        }
        return stringFirst ? text() ?? number() : number() ?? text()
    }
}
