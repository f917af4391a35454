import Foundation

/// The fields Herald reads from a Twilio-style Messages response, success or error.
///
/// Every field is optional and leniently typed: real carriers and compatible gateways send
/// `num_segments` as a string or a number, `error_code` as a number, a string or null, and
/// `status` as a message state on success but an HTTP status number in error bodies.
struct TwilioResponseBody: Decodable, Equatable {
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

        /// The fields `JSONMembers` is asked for, by number.
        static let numbered: [CodingKeys] = [.sid, .status, .code, .message, .numSegments, .errorCode, .errorMessage]

        /// Their names' UTF-8, in the same order, made once.
        private static let names: [[UInt8]] = numbered.map { Array($0.rawValue.utf8) }

        /// The number of the field a member's name (its UTF-8) names.
        static func number(utf8 name: UnsafeBufferPointer<UInt8>) -> Int? {
            names.firstIndex { spelled in
                spelled.count == name.count && spelled.withUnsafeBufferPointer { memcmp($0.baseAddress!, name.baseAddress!, name.count) == 0 }
            }
        }
    }

    /// Every field absent, to be filled by `readWithoutDecoder`.
    private init() {}

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

    /// One shared: a decoder is an allocation, and decoding with it is thread-safe.
    private static let decoder = JSONDecoder()

    /// The fields of `body`, nil if it is not a JSON object. Read by `JSONMembers`, or by
    /// `JSONDecoder` (through `init(from:)`) where that reader stands aside; both give the same.
    static func parse(_ body: [UInt8]) -> TwilioResponseBody? {
        readWithoutDecoder(body) ?? (try? decoder.decode(TwilioResponseBody.self, from: Data(body)))
    }

    /// What `init(from:)` reads, read by `JSONMembers`; nil where that reader stands aside or
    /// refuses the body, and for a field given twice or given a value only `JSONDecoder` knows
    /// how to take (a fraction, a boolean, an object, an array).
    static func readWithoutDecoder(_ body: [UInt8]) -> TwilioResponseBody? {
        var parsed = TwilioResponseBody()
        var seen: UInt8 = 0
        let read = JSONMembers.read(body, fields: CodingKeys.number(utf8:)) { number, value in
            let bit: UInt8 = 1 << number
            guard seen & bit == 0, value != .other else { return false }
            seen |= bit
            switch CodingKeys.numbered[number] {
            case .sid: parsed.sid = text(value)
            case .status: parsed.status = text(value)
            case .errorMessage: parsed.errorMessage = text(value)
            case .message: parsed.message = text(value)
            case .numSegments: parsed.numSegments = lenientInt(value)
            case .errorCode: parsed.errorCode = lenientInt(value)
            case .code: parsed.code = lenientInt(value)
            }
            return true
        }
        return read ? parsed : nil
    }

    /// A string field: a number or null in its place reads as absent, as `try?` makes it below.
    private static func text(_ value: JSONMembers.Value) -> String? {
        if case let .string(text) = value { text } else { nil }
    }

    private static func lenientInt(_ value: JSONMembers.Value) -> Int? {
        switch value {
        case let .integer(number): number
        case let .string(text): Int(text) ?? Int(text.trimmingCharacters(in: .whitespaces))
        case .null, .other: nil
        }
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
