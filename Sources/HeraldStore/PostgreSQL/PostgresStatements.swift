import Foundation

/// Splits a migration step into its statements: PostgreSQL's extended protocol, the one
/// postgres-nio speaks, runs one statement per query. Semicolons inside quotes, dollar-quoted
/// function bodies and `--` comments do not end a statement.
enum PostgresStatements {
    static func split(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var inQuote = false, inDollar = false, inComment = false
        var previous: Character = " "
        for character in sql {
            if inComment {
                if character == "\n" { inComment = false }
                current.append(character)
                previous = character
                continue
            }
            switch character {
            case "-" where previous == "-" && !inQuote && !inDollar:
                inComment = true
            case "'" where !inDollar:
                inQuote.toggle()
            case "$" where previous == "$" && !inQuote:
                inDollar.toggle()
            case ";" where !inQuote && !inDollar:
                let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !statement.isEmpty { statements.append(statement) }
                current = ""
                previous = " "
                continue
            default:
                break
            }
            current.append(character)
            // "$$$" is not a thing here; a pair is consumed at once.
            previous = (character == "$" && previous == "$") ? " " : character
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty, !rest.split(separator: "\n").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }) {
            statements.append(rest)
        }
        return statements
    }
}
