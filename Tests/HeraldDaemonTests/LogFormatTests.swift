import Foundation
@testable import HeraldDaemon
import Logging
import Testing

/// The two line formats: logfmt on stderr, fields for the journal.
@Suite("Log formats")
struct LogFormatTests {
    /// A logfmt reader as log tools implement it: bare values end at a space, quoted values take
    /// `\"`, `\\`, `\n`, `\r`, `\t` and `\uXXXX` escapes.
    static func parse(_ line: String) -> [(key: String, value: String)] {
        var pairs: [(String, String)] = []
        var scalars = Array(line.unicodeScalars.dropLast(line.hasSuffix("\n") ? 1 : 0))[...]
        while !scalars.isEmpty {
            while scalars.first == " " { scalars.removeFirst() }
            guard let equals = scalars.firstIndex(of: "=") else { break }
            let key = String(String.UnicodeScalarView(scalars[..<equals]))
            scalars = scalars[(equals + 1)...]
            var value = String.UnicodeScalarView()
            if scalars.first == "\"" {
                scalars.removeFirst()
                while let scalar = scalars.popFirst(), scalar != "\"" {
                    guard scalar == "\\", let escaped = scalars.popFirst() else { value.append(scalar); continue }
                    switch escaped {
                    case "n": value.append("\n")
                    case "r": value.append("\r")
                    case "t": value.append("\t")
                    case "u":
                        let hex = String(String.UnicodeScalarView(scalars.prefix(4)))
                        scalars = scalars.dropFirst(4)
                        value.append(Unicode.Scalar(UInt32(hex, radix: 16)!)!)
                    default: value.append(escaped)
                    }
                }
            } else {
                while let scalar = scalars.first, scalar != " " { value.append(scalars.removeFirst()) }
            }
            pairs.append((key, String(value)))
        }
        return pairs
    }

    static let awkward = [
        "plain", "", " ", "two words", "key=value", "say \"hi\"", "back\\slash", "line\nbreak", "tab\there", "cr\rhere",
        "bell\u{07}", "del\u{7F}", "c1\u{85}", "curly ’ quote", "emoji 📟", "=", "\"", "\\", "trailing\\", "a=\"b\" c",
    ]

    @Test("Every awkward value reads back exactly, and a line never spans two lines")
    func roundTrip() {
        for text in Self.awkward {
            let line = Logfmt.line(level: .info, message: text, metadata: ["detail": .string(text)], error: nil)
            #expect(line.filter { $0 == "\n" }.count == 1 && line.hasSuffix("\n"), "\(line.debugDescription)")
            let pairs = Self.parse(line)
            #expect(pairs.map(\.key) == ["ts", "level", "msg", "detail"], "\(line.debugDescription)")
            #expect(pairs.first { $0.key == "msg" }?.value == text, "\(line.debugDescription)")
            #expect(pairs.first { $0.key == "detail" }?.value == text, "\(line.debugDescription)")
        }
    }

    @Test("Plain values stay bare; the catalogued keys lead, the rest follow sorted")
    func layout() {
        var time = timespec()
        time.tv_sec = 1_795_449_246
        time.tv_nsec = 7_000_000
        let metadata = Logger.Metadata.event(
            .sent, message: 42, org: "acme", carrierSid: "SM0123", ["zeta": "1", "attempt": "2", "bad key=": "x"]
        )
        let line = Logfmt.line(level: .debug, message: "message 42 sent as SM0123", metadata: metadata, error: nil, at: time)
        #expect(line == """
            ts=2026-11-23T15:54:06.007Z level=debug msg="message 42 sent as SM0123" event=sent message_id=42 org=acme \
            state=sent carrier_sid=SM0123 attempt=2 bad_key_=x zeta=1

            """)
    }

    @Test("An error rides along as error=")
    func errorField() {
        struct Broken: Error, CustomStringConvertible { var description: String { "disk full" } }
        let line = Logfmt.line(level: .error, message: "cannot record", metadata: [:], error: Broken())
        #expect(Self.parse(line).last.map { [$0.key, $0.value] } == ["error", "disk full"])
    }

    @Test("Journal fields: MESSAGE, PRIORITY, identifier, the catalogued MESSAGE_ID and HERALD_* metadata")
    func journalFields() {
        let record = JournalFields(
            level: .notice, message: "message 42 failed:\nline two",
            metadata: .event(.optedOut, message: 42, org: "acme", ["error_code": "21610", "hb.request.id": "7"]),
            error: nil, file: "HeraldDaemon/DispatchEvents.swift", function: "log(_:_:)", line: 12
        )
        let fields = Dictionary(record.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        #expect(fields["MESSAGE"] == "message 42 failed:\nline two")
        #expect(fields["PRIORITY"] == "5")
        #expect(fields["SYSLOG_IDENTIFIER"] == "heraldd")
        #expect(fields["MESSAGE_ID"] == HeraldEvent.optedOut.messageID)
        #expect(fields["HERALD_EVENT"] == "opted_out")
        #expect(fields["HERALD_MESSAGE_ID"] == "42")
        #expect(fields["HERALD_STATE"] == "failed")
        #expect(fields["HERALD_ERROR_CODE"] == "21610")
        #expect(fields["HERALD_HB_REQUEST_ID"] == "7")
        #expect(fields["CODE_LINE"] == "12")
        // Names journald would refuse never leave the process.
        for field in record.fields {
            #expect(field.name.count <= 64 && field.name.first != "_", "\(field.name)")
            #expect(field.name.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }, "\(field.name)")
        }
        #expect(JournalFields.fieldName(forKey: "herald_org") == "HERALD_ORG", "not prefixed twice")
        #expect(JournalFields.fieldName(forKey: String(repeating: "k", count: 80)).count == 64)
    }

    @Test("No catalogue entry without an event: a line without one has no MESSAGE_ID")
    func noMessageIDWithoutEvent() {
        let record = JournalFields(level: .info, message: "webhooks listening", metadata: ["event": "not-an-event"], error: nil,
                                   file: "f", function: "g", line: 1)
        #expect(!record.fields.contains { $0.name == "MESSAGE_ID" })
    }

    @Test("swift-log levels map to syslog priorities")
    func priorities() {
        let expected: [Logger.Level: Int] = [.trace: 7, .debug: 7, .info: 6, .notice: 5, .warning: 4, .error: 3, .critical: 2]
        for level in Logger.Level.allCases { #expect(JournalFields.priority(level) == expected[level], "\(level)") }
    }
}
