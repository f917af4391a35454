/// What a contact's reply asks for (docs/consent.md), matched case-insensitively after trimming
/// whitespace and punctuation, so "Stop.", " stop " and "STOP!" all opt out.
public enum ReplyKeyword: String, Sendable, Equatable, CaseIterable, Codable {
    case optOut = "opt_out"
    case optIn = "opt_in"
    case help

    /// The words of each keyword, upper case, inner whitespace as one space.
    public static let words: [ReplyKeyword: Set<String>] = [
        .optOut: ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPT OUT", "OPTOUT", "2"],
        .optIn: ["YES", "START", "UNSTOP", "SUBSCRIBE", "1"],
        .help: ["HELP", "INFO"],
    ]

    /// The keyword a whole reply is, or nil for a conversation reply ("stop by at 5" is not STOP).
    public static func match(_ body: String) -> ReplyKeyword? {
        let normalized = normalize(body)
        guard !normalized.isEmpty, normalized.count <= 12 else { return nil }
        for (keyword, words) in words where words.contains(normalized) { return keyword }
        return nil
    }

    /// Upper case, without leading or trailing whitespace and punctuation, inner runs of
    /// whitespace as one space.
    static func normalize(_ body: String) -> String {
        let trimmed = body.unicodeScalars.drop { isTrimmed($0) }.reversed().drop { isTrimmed($0) }.reversed()
        var result = ""
        var pendingSpace = false
        for scalar in trimmed {
            if scalar.properties.isWhitespace {
                pendingSpace = true
                continue
            }
            if pendingSpace { result.append(" ") }
            pendingSpace = false
            result.unicodeScalars.append(scalar)
        }
        return result.uppercased()
    }

    private static func isTrimmed(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isWhitespace { return true }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }
}
