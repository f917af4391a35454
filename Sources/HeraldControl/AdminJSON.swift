import Foundation

/// One JSON dialect for both ends: snake_case keys, ISO 8601 instants, sorted keys (stable
/// output for scripts and golden tests), never a pretty-printed multi-line value on the wire.
public enum AdminJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// `dryRun` → `dry_run`: a property's wire name, as `convertToSnakeCase` writes it for the
    /// names admin types use (no acronyms).
    static func snakeCase(_ name: String) -> String {
        var out = ""
        var previousLower = false
        for character in name {
            if character.isUppercase, previousLower { out.append("_") }
            out += character.lowercased()
            previousLower = character.isLowercase || character.isNumber
        }
        return out
    }

    /// One line of the wire: the value's JSON followed by a newline.
    public static func line(_ value: some Encodable) throws -> [UInt8] {
        Array(try encoder().encode(value)) + [UInt8(ascii: "\n")]
    }
}

/// A response line: `{"id":…,"ok":true,"result":…}` or `{"id":…,"ok":false,"error":{…}}`.
public struct AdminResponse<Result: Codable & Sendable>: Codable, Sendable {
    public var id: RequestID?
    public var ok: Bool
    public var result: Result?
    public var error: AdminError?

    public init(id: RequestID?, result: Result) {
        self.id = id
        ok = true
        self.result = result
        error = nil
    }

    public init(id: RequestID?, error: AdminError) {
        self.id = id
        ok = false
        result = nil
        self.error = error
    }

    /// The result, or the error the daemon answered with.
    public func get() throws(AdminError) -> Result {
        if ok, let result { return result }
        throw error ?? AdminError(.failed, "the daemon answered neither a result nor an error")
    }
}

/// The `result` of commands that return nothing more than "done" (`watch`'s first answer).
public struct Empty: Codable, Sendable, Equatable {
    public init() {}
}
