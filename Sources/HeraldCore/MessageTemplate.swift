/// A text with `{variable}` placeholders, such as an organization's opt-in request (docs/domain.md).
/// A variable the caller does not supply is an error naming it, never a blank in a sent text.
public struct MessageTemplate: Sendable, Equatable, CustomStringConvertible {
    public let text: String

    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownVariable(String, allowed: [String])
        case missingVariable(String)
        case unclosedBrace(at: Int)

        public var description: String {
            switch self {
            case let .unknownVariable(name, allowed):
                "{\(name)} is not a template variable; use \(allowed.map { "{\($0)}" }.joined(separator: ", "))"
            case let .missingVariable(name): "no value for {\(name)}"
            case let .unclosedBrace(offset): "\"{\" at character \(offset + 1) is never closed"
            }
        }
    }

    public init(_ text: String) {
        self.text = text
    }

    public var description: String { text }

    /// The variables the text names, in order of first use.
    public func variables() throws(Problem) -> [String] {
        var names: [String] = []
        for piece in try pieces() {
            if case let .variable(name) = piece, !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// Checks that every variable is one of `allowed`, as configuration loading does.
    public func validate(allowed: [String]) throws(Problem) {
        for name in try variables() where !allowed.contains(name) {
            throw .unknownVariable(name, allowed: allowed)
        }
    }

    public func render(_ values: [String: String]) throws(Problem) -> String {
        var result = ""
        for piece in try pieces() {
            switch piece {
            case let .literal(text): result += text
            case let .variable(name):
                guard let value = values[name] else { throw .missingVariable(name) }
                result += value
            }
        }
        return result
    }

    private enum Piece {
        case literal(String)
        case variable(String)
    }

    /// `{name}` is a variable when `name` is letters, digits and underscores; any other brace
    /// (a lone `}`, `{ }`, `{{`) is literal text, so ordinary punctuation never breaks a template.
    private func pieces() throws(Problem) -> [Piece] {
        var pieces: [Piece] = []
        var literal = ""
        var index = text.startIndex
        var offset = 0
        while index < text.endIndex {
            let character = text[index]
            if character == "{" {
                guard let close = text[index...].firstIndex(of: "}") else { throw .unclosedBrace(at: offset) }
                let name = text[text.index(after: index)..<close]
                if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), name.first?.isNumber == false {
                    if !literal.isEmpty { pieces.append(.literal(literal)) }
                    literal = ""
                    pieces.append(.variable(String(name)))
                    offset += name.count + 2
                    index = text.index(after: close)
                    continue
                }
            }
            literal.append(character)
            offset += 1
            index = text.index(after: index)
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        return pieces
    }
}
