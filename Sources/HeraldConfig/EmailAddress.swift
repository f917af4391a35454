/// The plain `local@domain` form Herald puts in SMTP envelopes and headers. Display names,
/// comments and quoted local parts are refused rather than half-supported: an address that
/// libcurl would pass to `MAIL FROM:<…>` must not be able to smuggle a second command or header.
enum EmailAddress {
    /// Why `text` is not such an address; nil when it is.
    static func problem(_ text: String) -> String? {
        let shown = String(reflecting: text)
        if text.isEmpty { return "must not be empty" }
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0.value < 127 }) else {
            return "\(shown) has spaces, control or non-ASCII characters; write a plain address such as \"alice@example.com\""
        }
        if let bad = text.first(where: { "<>()[],;:\\\"".contains($0) }) {
            return "\(shown) contains \(String(reflecting: String(bad))); write the address alone, such as \"alice@example.com\""
        }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            return "\(shown) is not an address of the form local@domain"
        }
        guard !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !parts[1].contains("..") else {
            return "\(shown) has an empty label in its domain"
        }
        return nil
    }
}
