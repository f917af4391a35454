/// Why a request failed, as the `error` object of a response: a stable `code` for scripts and
/// a `message` an operator can act on.
public struct AdminError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public enum Code: String, Codable, Sendable {
        /// The line is not a JSON object.
        case badJSON = "bad_json"
        /// The line exceeds `AdminProtocol.maxLineBytes`.
        case lineTooLong = "line_too_long"
        case unknownCommand = "unknown_command"
        /// A field is missing, of the wrong type, or out of range.
        case badRequest = "bad_request"
        case notFound = "not_found"
        /// The peer may only run read-only commands.
        case permissionDenied = "permission_denied"
        /// The request is valid but the message's state does not allow it (e.g. cancel a sent message).
        case conflict
        case tooManyConnections = "too_many_connections"
        /// The daemon could not carry the request out (database error, unwritable backup path…).
        case failed
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
