import Foundation
import PropertyBased
import Testing
@testable import HeraldCarrier

/// `TwilioResponseBody.parse` reads most answers with `JSONMembers` and hands the rest to
/// `JSONDecoder`: whichever reads it, every body must give what `JSONDecoder` alone gives.
@Suite("Carrier answers read without JSONDecoder")
struct JSONMembersTests {
    static func decoderOnly(_ body: [UInt8]) -> TwilioResponseBody? {
        try? JSONDecoder().decode(TwilioResponseBody.self, from: Data(body))
    }

    /// The fast reader's own answer, nil where it stands aside.
    static func fast(_ body: [UInt8]) -> TwilioResponseBody? {
        TwilioResponseBody.readWithoutDecoder(body)
    }

    static let twilio201 = #"""
    {"account_sid": "AC0123456789abcdef0123456789abcdef", "api_version": "2010-04-01", "body": "Hi \u00e9t\u00e9 \ud83d\ude00 \"quoted\"\nline",
     "date_created": "Thu, 24 Aug 2023 05:01:45 +0000", "date_sent": null, "direction": "outbound-api", "error_code": null,
     "error_message": null, "from": "+16125550200", "messaging_service_sid": null, "num_media": "0", "num_segments": "2",
     "price": null, "price_unit": "USD", "sid": "SM0123456789abcdef0123456789abcdef", "status": "queued",
     "subresource_uris": {"media": "\/2010-04-01\/Accounts\/AC01\/Messages\/SM01\/Media.json", "feedback": [1, 2.5e3, true, {}]},
     "to": "+16125550100", "uri": "/2010-04-01/Accounts/AC01/Messages/SM01.json"}
    """#

    @Test("A real Twilio 201, nested members and escapes and all, is read without JSONDecoder, as JSONDecoder reads it")
    func twilioCreated() throws {
        let body = Array(Self.twilio201.utf8)
        let read = try #require(Self.fast(body))
        #expect(read == Self.decoderOnly(body))
        #expect(read.sid == "SM0123456789abcdef0123456789abcdef" && read.status == "queued" && read.numSegments == 2)
        #expect(read.errorCode == nil && read.errorMessage == nil)
    }

    @Test("An error body, its status a number, is read without JSONDecoder")
    func twilioError() throws {
        let body = Array(#"{"code": 21211, "message": "The 'To' number +1555 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}"#.utf8)
        let read = try #require(Self.fast(body))
        #expect(read == Self.decoderOnly(body))
        #expect(read.code == 21211 && read.status == nil && read.anyErrorMessage?.hasPrefix("The 'To' number") == true)
    }

    @Test("Bodies the reader stands aside for or refuses still read as JSONDecoder reads them", arguments: [
        #"{"sid": "SM1", "sid": "SM2"}"#,                 // a field twice
        #"{"num_segments": 1.0, "sid": "SM1"}"#,          // a number only JSONDecoder knows how to take
        #"{"num_segments": 1e0}"#,
        #"{"error_code": 99999999999999999999}"#,         // beyond Int
        #"{"sid": true}"#,
        #"{"sid": "\ud83d"}"#,                            // a lone surrogate
        #"{"s\u0069d": "SM1"}"#,                          // an escaped key
        #"{"num_segments": " 3 ", "code": "20429"}"#,
        #"{"num_segments": "three"}"#,
        #"{"sid": 7, "status": 400}"#,
        #"{"sid": "SM1",}"#,                              // not JSON: a trailing comma
        #"{"sid": "SM1"} x"#,                             // trailing bytes
        #"{"sid": "SM1"}   "#,
        #"{"error_code": 012}"#,                          // a leading zero
        #"{"error_code": -}"#,
        #"{"sid": "a\qb"}"#,                              // an unknown escape
        "{\"sid\": \"a\u{01}b\"}",                        // a raw control character
        #"[{"sid": "SM1"}]"#,                             // not an object
        #"{}"#, " ", "", "null", #"{"sid": "SM1""#,
        #"{"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], "sid": "SM1"}"#,
    ])
    func edges(_ text: String) {
        let body = Array(text.utf8)
        #expect(TwilioResponseBody.parse(body) == Self.decoderOnly(body), "\(text)")
    }

    @Test("Bytes that are not UTF-8 read as JSONDecoder reads them")
    func invalidUTF8() {
        for body: [UInt8] in [[0x7B, 0x22, 0x73, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D], Array(#"{"x": ""#.utf8) + [0xC3, 0x28, 0x22, 0x7D]] {
            #expect(TwilioResponseBody.parse(body) == Self.decoderOnly(body))
        }
    }

    @Test("Generated bodies, whole and damaged: the same fields as JSONDecoder reads")
    func generated() async {
        await propertyCheck(count: 3_000, input: Gen<UInt64>.value(in: 0...UInt64.max)) { seed in
            let body = GeneratedBody.make(seed: seed)
            #expect(TwilioResponseBody.parse(body) == Self.decoderOnly(body), "\(String(decoding: body, as: UTF8.self))")
        }
    }

    /// Else the property above could pass with a reader that always stands aside. It stands aside
    /// for a field given twice, or given a fraction, a boolean, an object or an array (4 values in 9
    /// here): about a third of these bodies are read fast (638 of 2,000).
    @Test("Generated well-formed bodies are read without JSONDecoder where they can be")
    func fastPathIsTaken() {
        var whole = 0, readFast = 0
        for seed in UInt64(0)..<2_000 {
            var draws = SplitMix(seed: seed)
            let body = GeneratedBody.document(&draws)
            guard Self.decoderOnly(body) != nil else { continue }
            whole += 1
            if Self.fast(body) != nil { readFast += 1 }
        }
        #expect(whole > 1_000 && readFast * 4 > whole, "\(readFast) of \(whole) read without JSONDecoder")
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func below(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
    mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
}

/// Carrier-like JSON objects: the fields Herald reads, in every type a gateway might send them,
/// beside others, nested values, odd spacing and escapes; a quarter of them damaged afterwards.
enum GeneratedBody {
    static func make(seed: UInt64) -> [UInt8] {
        var draws = SplitMix(seed: seed)
        var body = document(&draws)
        guard draws.below(4) == 0, !body.isEmpty else { return body }
        let at = draws.below(body.count)
        switch draws.below(3) {
        case 0: body.removeSubrange(at...)
        case 1: body[at] = draws.pick([0x7B, 0x7D, 0x22, 0x2C, 0x5C, 0x01, 0xFF, 0x30, 0x20, 0x5B])
        default: body.insert(draws.pick([0x2C, 0x22, 0x7D, 0x5C, 0x80]), at: at)
        }
        return body
    }

    static func document(_ draws: inout SplitMix) -> [UInt8] {
        var out = space(&draws) + "{"
        let keys = ["sid", "status", "num_segments", "error_code", "error_message", "code", "message", "uri", "price", "to", "s\\u0069d", ""]
        for index in 0..<draws.below(9) {
            if index > 0 { out += space(&draws) + "," }
            out += space(&draws) + "\"" + draws.pick(keys) + "\"" + space(&draws) + ":" + space(&draws) + value(&draws, depth: 0)
        }
        return Array((out + space(&draws) + "}" + space(&draws)).utf8)
    }

    static func space(_ draws: inout SplitMix) -> String {
        draws.pick(["", "", "", " ", "\n", "\t ", "\r\n  "])
    }

    static func value(_ draws: inout SplitMix, depth: Int) -> String {
        switch draws.below(depth < 3 ? 9 : 7) {
        case 0, 1: return "\"" + (0..<draws.below(6)).map { _ in
            draws.pick(["a", "SM01", "1", " 2 ", "-3", "é", "😀", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\ud83d\\ude00", "\\u0000", "\\t", "q"])
        }.joined() + "\""
        case 2: return draws.pick(["0", "1", "-1", "2", "21211", "30001", "-0", "9223372036854775807", "-9223372036854775808", "9223372036854775808"])
        case 3: return draws.pick(["1.0", "1.5", "1e3", "-2E-2", "0.0", "2e+0"])
        case 4: return "null"
        case 5: return draws.pick(["true", "false"])
        case 6: return "\"" + draws.pick(["1", "2", " 3", "4 ", "x", ""]) + "\""
        case 7:
            return "[" + (0..<draws.below(4)).map { _ in space(&draws) + value(&draws, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            return "{" + (0..<draws.below(4)).map { _ in
                "\"" + draws.pick(["a", "sid", "media"]) + "\":" + value(&draws, depth: depth + 1)
            }.joined(separator: ",") + "}"
        }
    }
}
