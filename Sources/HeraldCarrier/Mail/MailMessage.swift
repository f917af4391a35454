import Foundation

/// A plain-text mail as RFC 5322 and MIME want it on the wire: CRLF line ends, headers in
/// US-ASCII (RFC 2047 encoded words for anything else), a UTF-8 body in quoted-printable so it
/// passes relays that only speak 7 bits, and no line longer than 76 characters.
public struct MailMessage: Sendable, Equatable {
    /// Envelope sender and From: address, `local@domain`.
    public var from: String
    public var fromName: String
    /// Envelope recipient and To: address.
    public var to: String
    public var subject: String
    public var body: String
    /// Without angle brackets: `herald.reply.42@example.com`.
    public var messageID: String
    public var date: Date

    public init(from: String, fromName: String, to: String, subject: String, body: String, messageID: String, date: Date) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.date = date
    }

    public func rendered() -> [UInt8] {
        let headers = [
            "Date: \(Self.rfc5322Date(date))",
            "From: \(Self.phrase(fromName)) <\(from)>",
            "To: <\(to)>",
            "Subject: \(Self.unstructured(subject))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: quoted-printable",
            // RFC 3834: vacation responders must not answer a machine's mail.
            "Auto-Submitted: auto-generated",
        ]
        let text = headers.joined(separator: "\r\n") + "\r\n\r\n" + QuotedPrintable.encode(body) + "\r\n"
        return Array(text.utf8)
    }

    /// `Wed, 02 Dec 2026 06:45:33 +0000`, in English whatever the locale.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// A display name: atoms as they are, anything with specials quoted, anything non-ASCII encoded.
    static func phrase(_ name: String) -> String {
        if !name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 32 && $0.value < 127 }) {
            return encodedWords(name)
        }
        let atext = name.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || " !#$%&'*+-/=?^_`{|}~".unicodeScalars.contains($0)
        }
        if atext { return name }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }

    /// A Subject: value: ASCII as it is, folded at spaces; otherwise RFC 2047 encoded words.
    static func unstructured(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard flat.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 32 && $0.value < 127 }) else {
            return encodedWords(flat)
        }
        // "Subject: " takes 9 of the 78 characters a line should stay within.
        var lines: [String] = []
        var line = ""
        for word in flat.split(separator: " ") {
            let limit = lines.isEmpty ? 69 : 77
            if !line.isEmpty, line.count + 1 + word.count > limit {
                lines.append(line)
                line = String(word)
            } else {
                line += line.isEmpty ? String(word) : " " + word
            }
        }
        lines.append(line)
        return lines.joined(separator: "\r\n ")
    }

    /// `=?UTF-8?B?…?=` words of at most 75 characters, split between characters (never inside
    /// one, RFC 2047 §5), folded onto continuation lines.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            // 39 bytes make 52 base64 characters, a word of 64: the first one still fits on the
            // line after "Subject: " within 78 characters.
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }
}

/// RFC 2045 §6.7 quoted-printable for a text body: each line is encoded on its own and the
/// line breaks become CRLF.
enum QuotedPrintable {
    static func encode(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        return normalized.split(separator: "\n", omittingEmptySubsequences: false)
            .map { encodeLine(Array($0.utf8)) }
            .joined(separator: "\r\n")
    }

    private static func encodeLine(_ bytes: [UInt8]) -> String {
        var out: [String] = []
        var line = ""
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            var token: String
            switch byte {
            // Trailing white space would be stripped in transit.
            case 32, 9: token = isLast ? String(format: "=%02X", byte) : String(UnicodeScalar(byte))
            // A dot opening a line is where SMTP looks for the end of the data.
            case 46 where line.isEmpty: token = "=2E"
            case 33...60, 62...126: token = String(UnicodeScalar(byte))
            default: token = String(format: "=%02X", byte)
            }
            // 75 characters plus the soft break's "=" make the 76 the RFC allows.
            if line.count + token.count > 75 {
                out.append(line + "=")
                line = ""
                if token == "." { token = "=2E" }
            }
            line += token
        }
        out.append(line)
        return out.joined(separator: "\r\n")
    }
}
