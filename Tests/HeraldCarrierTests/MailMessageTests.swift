import Foundation
@testable import HeraldCarrier
import Testing

@Suite("Mail message rendering")
struct MailMessageTests {
    static let message = MailMessage(
        from: "herald@example.com", fromName: "Herald", to: "alice@example.com",
        subject: "SMS reply from José Núñez (+16125550123) to your number +16125550100",
        body: "Café at 3? 😀\n.hidden dot line\ntrailing space \n" + String(repeating: "long line ", count: 20),
        messageID: "herald.reply.42.7@example.com", date: Date(timeIntervalSince1970: 1_800_000_000)
    )

    var text: String { String(decoding: Self.message.rendered(), as: UTF8.self) }

    @Test("headers: RFC 5322 date, addresses, Message-ID, MIME UTF-8 quoted-printable")
    func headers() throws {
        let head = try #require(text.components(separatedBy: "\r\n\r\n").first)
        let lines = head.components(separatedBy: "\r\n")
        #expect(lines.contains("Date: Fri, 15 Jan 2027 08:00:00 +0000"))
        #expect(lines.contains("From: Herald <herald@example.com>"))
        #expect(lines.contains("To: <alice@example.com>"))
        #expect(lines.contains("Message-ID: <herald.reply.42.7@example.com>"))
        #expect(lines.contains("MIME-Version: 1.0"))
        #expect(lines.contains("Content-Type: text/plain; charset=UTF-8"))
        #expect(lines.contains("Content-Transfer-Encoding: quoted-printable"))
        #expect(lines.contains("Auto-Submitted: auto-generated"))
    }

    @Test("a non-ASCII subject becomes RFC 2047 words that decode back to it")
    func encodedSubject() throws {
        let head = try #require(text.components(separatedBy: "\r\n\r\n").first)
        let subject = head.components(separatedBy: "\r\nSubject: ")[1].components(separatedBy: "\r\nMessage-ID")[0]
        var decoded = Data()
        for word in subject.components(separatedBy: "\r\n ") {
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            #expect(word.count <= 75)
            decoded.append(try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))))
        }
        #expect(String(decoding: decoded, as: UTF8.self) == Self.message.subject)
        #expect(head.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 }, "RFC 5322 §2.1.1")
        #expect(MailMessage.unstructured("plain ASCII subject") == "plain ASCII subject")
    }

    @Test("the body: CRLF only, lines of at most 76, a leading dot and trailing space encoded, decodes back")
    func quotedPrintableBody() throws {
        let bytes = Self.message.rendered()
        for (index, byte) in bytes.enumerated() where byte == 10 {
            #expect(index > 0 && bytes[index - 1] == 13, "bare LF at \(index)")
        }
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        let lines = body.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(lines.contains("Caf=C3=A9 at 3? =F0=9F=98=80"))
        #expect(lines.contains("=2Ehidden dot line"))
        #expect(lines.contains("trailing space=20"))
        #expect(Self.decode(body) == Self.message.body + "\n")
    }

    /// RFC 2045 decoding, written independently of the encoder.
    static func decode(_ qp: String) -> String {
        var out: [UInt8] = []
        let joined = qp.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "\r\n", with: "\n")
        var bytes = Array(joined.utf8)[...]
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: "="), bytes.count >= 2, let value = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(value)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test("a display name with specials is quoted, a non-ASCII one encoded")
    func displayNames() {
        #expect(MailMessage.phrase("Herald") == "Herald")
        #expect(MailMessage.phrase("Herald, Acme") == "\"Herald, Acme\"")
        #expect(MailMessage.phrase("Hérald") == "=?UTF-8?B?SMOpcmFsZA==?=")
    }

    @Test("the SMTP URL: smtps for TLS, smtp otherwise, IPv6 in brackets")
    func urls() {
        #expect(SMTPSettings(host: "smtp.example.com", port: 465, security: .tls).url == "smtps://smtp.example.com:465")
        #expect(SMTPSettings(host: "::1", port: 25, security: .none).url == "smtp://[::1]:25")
        #expect(SMTPSettings(host: "127.0.0.1", port: 587, security: .starttls).url == "smtp://127.0.0.1:587")
    }
}
