/// What is wrong with a configuration, phrased for the operator who has to fix the file.
///
/// Every case about a value names its key path (`carrier.max_in_flight`,
/// `orgs[1].users[0].number`), so a message can be acted on without reading code.
public enum ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    case unreadable(path: String, reason: String)
    /// `file` is nil when the text did not come from a file.
    case syntax(file: String?, line: Int, column: Int, message: String)
    case unknownKey(key: String, suggestion: String?)
    /// A key that is understood but deliberately not accepted.
    case refusedKey(key: String, reason: String)
    case wrongType(key: String, expected: String, found: String)
    case badValue(key: String, problem: String)
    case missingKey(key: String)
    /// The carrier auth token could not be read from where the configuration points.
    case tokenUnavailable(key: String, path: String, reason: String)
    /// The SMTP password could not be read from where `[email]` points.
    case passwordUnavailable(key: String, path: String, reason: String)
    /// The PostgreSQL password could not be read from where `[database]` points.
    case databasePasswordUnavailable(key: String, path: String, reason: String)
    /// Several problems at once: a file is checked completely so the operator fixes it in one go.
    case several([ConfigurationError])

    /// The individual problems, one for every line of `description`.
    public var problems: [ConfigurationError] {
        if case .several(let all) = self { return all.flatMap(\.problems) }
        return [self]
    }

    /// The key path the problem is about, when it is about one key.
    public var key: String? {
        switch self {
        case .unknownKey(let key, _), .refusedKey(let key, _), .wrongType(let key, _, _),
             .badValue(let key, _), .missingKey(let key), .tokenUnavailable(let key, _, _),
             .passwordUnavailable(let key, _, _), .databasePasswordUnavailable(let key, _, _):
            key
        case .unreadable, .syntax, .several:
            nil
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read configuration file \(path): \(reason)"
        case .syntax(let file, let line, let column, let message):
            "\(file.map { $0 + ": " } ?? "")line \(line), column \(column): TOML syntax error: \(message)"
        case .unknownKey(let key, let suggestion):
            "\(key): unknown key" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? "")
        case .refusedKey(let key, let reason):
            "\(key): \(reason)"
        case .wrongType(let key, let expected, let found):
            "\(key): expected \(expected), found \(found)"
        case .badValue(let key, let problem):
            "\(key): \(problem)"
        case .missingKey(let key):
            "\(key): required key is missing"
        case .tokenUnavailable(let key, let path, let reason):
            "\(key): cannot use auth token from \(path): \(reason)"
        case .passwordUnavailable(let key, let path, let reason):
            "\(key): cannot use the SMTP password from \(path): \(reason)"
        case .databasePasswordUnavailable(let key, let path, let reason):
            "\(key): cannot use the PostgreSQL password from \(path): \(reason)"
        case .several(let all):
            all.flatMap(\.problems).map(\.description).joined(separator: "\n")
        }
    }

    /// One problem as itself, several as `.several`; nil when there are none.
    static func combining(_ problems: [ConfigurationError]) -> ConfigurationError? {
        let flat = problems.flatMap(\.problems)
        switch flat.count {
        case 0: return nil
        case 1: return flat[0]
        default: return .several(flat)
        }
    }
}
