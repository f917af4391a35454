import Foundation

/// A request line as the server first reads it: `{"id":7,"command":"queue","params":{"state":"scheduled"}}`.
/// `id` is echoed in the response (any JSON number or string, optional); `params` is what the
/// command's declaration decodes (`AdminCommand.parameters(of:)`), and may be left out when the
/// command needs none.
public struct AdminEnvelope: Sendable {
    public var id: RequestID?
    /// A name `Admin.named` knows.
    public var command: String
    /// The `params` object's JSON, `{}` when left out.
    public var params: Data
    public var paramNames: Set<String>

    /// Parses one line, or says exactly what is wrong with it. The id is recovered whenever the
    /// line is a JSON object, so even a refused request's answer carries it.
    public static func decode(_ bytes: some Collection<UInt8>) -> Result<AdminEnvelope, Refusal> {
        let data = Data(bytes)
        guard let object = try? JSONSerialization.jsonObject(with: data), let fields = object as? [String: Any] else {
            return .failure(Refusal(id: nil, error: AdminError(.badJSON, "a request is one JSON object per line, e.g. {\"id\":1,\"command\":\"status\"}")))
        }
        let id: RequestID? = (try? AdminJSON.decoder().decode(IDOnly.self, from: data))?.id
        func refuse(_ code: AdminError.Code, _ message: String) -> Result<AdminEnvelope, Refusal> {
            .failure(Refusal(id: id, error: AdminError(code, message)))
        }
        let commands = Admin.names.joined(separator: ", ")
        guard let command = fields["command"] as? String else {
            return refuse(.badRequest, "the request has no \"command\" string; commands: \(commands)")
        }
        guard Admin.names.contains(command) else {
            return refuse(.unknownCommand, "unknown command \(String(reflecting: command)); commands: \(commands)")
        }
        let extra = Set(fields.keys).subtracting(["id", "command", "params"]).sorted()
        if !extra.isEmpty {
            return refuse(.badRequest, "a request holds \"id\", \"command\" and \"params\", not \(extra.joined(separator: ", ")): "
                + "since admin protocol 2 a command's fields go inside \"params\", e.g. {\"command\":\"show\",\"params\":{\"message\":7}}")
        }
        let params = fields["params"] ?? [String: Any]()
        guard let object = params as? [String: Any], let encoded = try? JSONSerialization.data(withJSONObject: object) else {
            return refuse(.badRequest, "\"params\" must be a JSON object")
        }
        return .success(AdminEnvelope(id: id, command: command, params: encoded, paramNames: Set(object.keys)))
    }

    private struct IDOnly: Decodable {
        var id: RequestID?
    }

    public struct Refusal: Error, Sendable {
        public var id: RequestID?
        public var error: AdminError
    }

    /// What a client writes.
    struct Outgoing<Parameters: Encodable>: Encodable {
        var id: RequestID?
        var command: String
        var params: Parameters
    }

    /// A decoding error in an operator's words, naming the field as it is written on the wire.
    static func describe(_ error: any Error, command: String) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func field(_ path: [any CodingKey]) -> String { path.map { AdminJSON.snakeCase($0.stringValue) }.joined(separator: ".") }
        switch error {
        case let .typeMismatch(type, context): return "\"\(field(context.codingPath))\" must be \(describe(type))"
        case let .valueNotFound(type, context): return "\"\(field(context.codingPath))\" must be \(describe(type)), not null"
        case let .dataCorrupted(context): return "\"\(field(context.codingPath))\": \(context.debugDescription)"
        case let .keyNotFound(key, context): return "\(command) needs \"\(field(context.codingPath + [key]))\""
        @unknown default: return "\(error)"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is [String].Type: "a list of strings"
        default: "a \(type)"
        }
    }
}

public enum RequestID: Codable, Sendable, Equatable, Hashable {
    case number(Int64)
    case text(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            self = .number(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .number(number): try container.encode(number)
        case let .text(text): try container.encode(text)
        }
    }
}
