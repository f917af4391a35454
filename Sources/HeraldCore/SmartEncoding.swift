/// Look-alike punctuation rewritten to GSM-7, so that one curly apostrophe pasted from a word
/// processor does not turn a 160-character message into three UCS-2 parts.
///
/// The table is deliberately small: only characters a reader would not notice changing.
///
/// | becomes | from |
/// | --- | --- |
/// | `'` | ‘ ’ ‚ ‛ ′ ʼ ‹ › ´ ` |
/// | `"` | “ ” „ ‟ ″ « » |
/// | `-` | ‐ ‑ ‒ – — ― − • |
/// | `...` | … |
/// | space | U+00A0, U+2000–U+200A, U+202F, U+205F, U+3000 |
/// | nothing | U+200B zero-width space, U+FEFF byte-order mark, U+00AD soft hyphen |
public enum SmartEncoding {
    /// `text` with every look-alike replaced; the same string, without copying, when none occurs.
    public static func apply(_ text: String) -> String {
        rewrite(text) ?? text
    }

    /// `text` with every look-alike replaced, or nil when it has none, which spares callers
    /// comparing the two strings to find out.
    static func rewrite(_ text: String) -> String? {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { replacement(for: $0) != nil }) else {
            return nil
        }
        // Unchanged runs are copied as UTF-8 slices rather than scalar by scalar.
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var runStart = scalars.startIndex
        var index = first
        while index != scalars.endIndex {
            let next = scalars.index(after: index)
            if let replacement = replacement(for: scalars[index]) {
                result += Substring(scalars[runStart..<index])
                result += replacement
                runStart = next
            }
            index = next
        }
        result += Substring(scalars[runStart...])
        return result
    }

    /// The GSM text standing in for `scalar` ("" to drop it), or nil to keep it as it is.
    static func replacement(for scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0x02BC, 0x2039, 0x203A, 0x00B4, 0x0060:
            return "'"
        case 0x201C, 0x201D, 0x201E, 0x201F, 0x2033, 0x00AB, 0x00BB:
            return "\""
        case 0x2010...0x2015, 0x2212, 0x2022:
            return "-"
        case 0x2026:
            return "..."
        case 0x00A0, 0x2000...0x200A, 0x202F, 0x205F, 0x3000:
            return " "
        case 0x200B, 0xFEFF, 0x00AD:
            return ""
        default:
            return nil
        }
    }
}
