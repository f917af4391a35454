import Foundation
import PropertyBased
import Testing

@testable import HeraldCore

/// One line of Fixtures/segments.jsonl, counted by the reference implementation.
struct SegmentFixtureCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var encoding: SMSEncoding
    var segments: Int
    var units: Int

    var testDescription: String { name }

    static func all() throws -> [SegmentFixtureCase] {
        guard let url = Bundle.module.url(forResource: "segments", withExtension: "jsonl", subdirectory: "Fixtures")
        else { throw CocoaError(.fileNoSuchFile) }
        let decoder = JSONDecoder()
        return try String(contentsOf: url, encoding: .utf8)
            .split(whereSeparator: \.isNewline)
            .map { try decoder.decode(SegmentFixtureCase.self, from: Data($0.utf8)) }
    }
}

/// Checks every invariant a segmentation must hold, whatever the input.
fileprivate func expectWellFormed(_ result: SegmentedText, of text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let single = result.encoding == .gsm7 ? 160 : 70
    let perPart = result.encoding == .gsm7 ? 153 : 67
    let limit = result.parts.count > 1 ? perPart : single

    #expect(result.segments == result.parts.count, sourceLocation: sourceLocation)
    #expect(Array(result.parts.joined().unicodeScalars) == Array(text.unicodeScalars), sourceLocation: sourceLocation)
    #expect(result.characters == text.unicodeScalars.count, sourceLocation: sourceLocation)
    #expect(result.parts.allSatisfy { !$0.isEmpty }, sourceLocation: sourceLocation)

    let partUnits = result.parts.map { units(of: $0, in: result.encoding) }
    #expect(partUnits.reduce(0, +) == result.units, sourceLocation: sourceLocation)
    #expect(partUnits.allSatisfy { $0 <= limit }, "parts of \(partUnits) units exceed \(limit)", sourceLocation: sourceLocation)

    // A part is full unless the next scalar could not have fitted: greedy filling is what makes
    // the segment count minimal and matches what carriers bill.
    for (part, next) in zip(result.parts, result.parts.dropFirst()) {
        let nextCost = units(of: String(next.unicodeScalars.first!), in: result.encoding)
        #expect(units(of: part, in: result.encoding) + nextCost > perPart, sourceLocation: sourceLocation)
    }

    // Cutting between scalars means a surrogate pair is never split; the UTF-16 view says so.
    for part in result.parts {
        #expect(!UTF16.isTrailSurrogate(part.utf16.first!), sourceLocation: sourceLocation)
        #expect(!UTF16.isLeadSurrogate(part.utf16.last!), sourceLocation: sourceLocation)
    }

    if result.encoding == .gsm7 {
        #expect(result.culprits.isEmpty, sourceLocation: sourceLocation)
    } else {
        #expect(!result.culprits.isEmpty && result.culprits.count <= 10, sourceLocation: sourceLocation)
        for culprit in result.culprits {
            #expect(GSM7Alphabet.septets(for: culprit.scalar) == 0, sourceLocation: sourceLocation)
            #expect(Array(text.unicodeScalars)[culprit.offset] == culprit.scalar, sourceLocation: sourceLocation)
        }
    }
}

/// Units counted independently of the segmenter: GSM-7 septets through the escape-prefixed
/// encoding, UCS-2 through Swift's own UTF-16 view.
fileprivate func units(of text: String, in encoding: SMSEncoding) -> Int {
    switch encoding {
    case .gsm7: text.unicodeScalars.reduce(0) { $0 + GSM7Alphabet.septets(for: $1) }
    case .ucs2: text.utf16.count
    }
}

@Suite struct SegmenterFixtureTests {
    @Test(arguments: try SegmentFixtureCase.all())
    func matchesReference(_ reference: SegmentFixtureCase) {
        let result = Segmenter().segment(reference.text)
        #expect(result.encoding == reference.encoding)
        #expect(result.segments == reference.segments)
        #expect(result.units == reference.units)
        expectWellFormed(result, of: reference.text)
    }

    @Test func fixtureLoads() throws {
        #expect(try SegmentFixtureCase.all().count >= 36)
    }

    @Test func extensionCharacterMovesWholeToTheNextPart() throws {
        let reference = try #require(try SegmentFixtureCase.all().first { $0.name == "ext at part boundary" })
        let parts = Segmenter().segment(reference.text).parts
        #expect(parts.map { units(of: $0, in: .gsm7) } == [152, 12])
        #expect(parts[1].hasPrefix("€"))
    }

    @Test func surrogatePairMovesWholeToTheNextPart() throws {
        let reference = try #require(try SegmentFixtureCase.all().first { $0.name == "emoji at part boundary" })
        let parts = Segmenter().segment(reference.text).parts
        #expect(parts.map(\.utf16.count) == [66, 7])
        #expect(parts[1].hasPrefix("😀"))
    }
}

@Suite struct SegmenterTests {
    @Test func emptyBodyHasNoSegments() {
        let result = Segmenter().segment("")
        #expect(result == SegmentedText(encoding: .gsm7, characters: 0, units: 0, segments: 0, parts: [], culprits: []))
    }

    @Test func singleSegmentIsTheBodyItself() {
        let result = Segmenter().segment("Your code is 123456")
        #expect(result.parts == ["Your code is 123456"])
        #expect(result.characters == 19)
    }

    @Test func charactersCountScalarsNotGraphemes() {
        let result = Segmenter().segment("👨‍👩‍👧 e\u{301}")
        #expect(result.characters == 8)
        #expect(result.units == 11)
    }

    @Test func zwjSequenceMaySplitBetweenScalars() {
        // 66 units of filler, then a family emoji: the second person lands in part 2.
        let text = "ç" + String(repeating: "a", count: 63) + "👨‍👩‍👧"
        let result = Segmenter().segment(text)
        #expect(result.segments == 2)
        #expect(result.parts[0].unicodeScalars.last == "\u{200D}")
        #expect(result.parts[1].unicodeScalars.first == "👩")
        expectWellFormed(result, of: text)
    }

    @Test func lengthLimitIsNotTheSegmentersJob() {
        let text = String(repeating: "x", count: Segmenter.maximumCharacters + 1)
        #expect(Segmenter().segment(text).characters == 1601)
    }

    @Test func culpritsNameTheCharactersThatForcedUCS2() {
        let result = Segmenter().segment("It’s")
        #expect(result.encoding == .ucs2)
        #expect(result.culprits == [UCS2Culprit(scalar: "’", offset: 2)])
        #expect(result.culprits.map(\.description) == ["’ U+2019 at 2"])
    }

    @Test func culpritOffsetsCountScalars() {
        let result = Segmenter().segment("😀 a “b”")
        #expect(result.culprits.map(\.description) == ["😀 U+1F600 at 0", "“ U+201C at 4", "” U+201D at 6"])
    }

    @Test func invisibleCulpritsShowOnlyTheirCodePoint() {
        let result = Segmenter().segment("a\tb\u{A0}c e\u{301}")
        #expect(result.culprits.map(\.description) == ["U+0009 at 1", "U+00A0 at 3", "U+0301 at 7"])
    }

    @Test func culpritsStopAtTen() {
        let result = Segmenter().segment(String(repeating: "你", count: 30))
        #expect(result.culprits.count == 10)
        #expect(result.culprits.last?.offset == 9)
    }

    @Test func gsm7HasNoCulprits() {
        #expect(Segmenter().segment("{€}").culprits.isEmpty)
    }
}

@Suite struct GSM7AlphabetTests {
    @Test func tablesHaveTheirStandardShape() {
        #expect(GSM7Alphabet.basic.count == 128)
        #expect(Set(GSM7Alphabet.basic).count == 128)
        #expect(GSM7Alphabet.basic[0x1B] == "\u{1B}")
        #expect(GSM7Alphabet.extensionCharacters.count == 10)
    }

    @Test func costs() {
        for (index, scalar) in GSM7Alphabet.basic.enumerated() where index != 0x1B {
            #expect(GSM7Alphabet.septets(for: scalar) == 1, "\(scalar)")
        }
        for scalar in GSM7Alphabet.extensionCharacters {
            #expect(GSM7Alphabet.septets(for: scalar) == 2, "\(scalar)")
        }
        for scalar: Unicode.Scalar in ["\u{1B}", "ç", "\t", "`", "’", "Ω", "\u{2126}", "😀", "\u{0}"] {
            #expect(GSM7Alphabet.septets(for: scalar) == (scalar == "Ω" ? 1 : 0), "\(scalar)")
        }
    }
}

@Suite struct SmartEncodingTests {
    @Test func curlyQuotesBecomeGSM7() {
        let text = "It’s “fine”"
        #expect(Segmenter().segment(text).encoding == .ucs2)
        let result = Segmenter(smartEncoding: true).segment(text)
        #expect(result.encoding == .gsm7)
        #expect(result.parts == ["It's \"fine\""])
        #expect(result.culprits.isEmpty)
    }

    @Test func oneApostropheNoLongerTriplesTheCost() {
        let text = "Hi Sam, your table for 4 is booked at 7:30pm. We’re looking forward to seeing you! "
            + "Reply C to cancel or call us on 0123 456 789 if plans change. See you soon, The Olive Tree"
        let plain = Segmenter().segment(text)
        let smart = Segmenter(smartEncoding: true).segment(text)
        #expect(plain.encoding == .ucs2 && plain.segments == 3)
        #expect(smart.encoding == .gsm7 && smart.segments == 2)
        expectWellFormed(smart, of: smart.parts.joined())
    }

    @Test func table() {
        let cases: [(String, String)] = [
            ("‘a’ ‚b‛ 5′ ʼ ‹c› ´ `", "'a' 'b' 5' ' 'c' ' '"),
            ("“a” „b‟ 5″ «c»", "\"a\" \"b\" 5\" \"c\""),
            ("a‐b‑c‒d–e—f―g−h • i", "a-b-c-d-e-f-g-h - i"),
            ("wait…", "wait..."),
            ("a\u{A0}b\u{2000}c\u{2005}d\u{200A}e\u{202F}f\u{205F}g\u{3000}h", "a b c d e f g h"),
            ("\u{FEFF}zero\u{200B}width\u{AD}", "zerowidth"),
            ("plain {text} €5", "plain {text} €5"),
        ]
        for (input, expected) in cases {
            #expect(SmartEncoding.apply(input) == expected)
            #expect(Segmenter(smartEncoding: true).segment(input).encoding == .gsm7, "\(input)")
        }
    }

    @Test func leavesWhatItDoesNotKnow() {
        #expect(SmartEncoding.apply("ça 😀 \t") == "ça 😀 \t")
        #expect(SmartEncoding.rewrite("plain") == nil)
    }

    @Test func keepsCombiningMarksInPlace() {
        let rewritten = SmartEncoding.apply("e\u{301}’\u{301}x…")
        #expect(Array(rewritten.unicodeScalars) == Array("e\u{301}'\u{301}x...".unicodeScalars))
    }

    @Test func offByDefault() {
        #expect(Segmenter().segment("9am–5pm").encoding == .ucs2)
        #expect(Segmenter(smartEncoding: true).segment("9am–5pm").parts == ["9am-5pm"])
    }

    @Test func bodyThatStaysUCS2IsSentAsWritten() {
        let text = "Merci… 😀 “ok”"
        let result = Segmenter(smartEncoding: true).segment(text)
        #expect(result == Segmenter().segment(text))
        #expect(result.parts == [text])
    }

    @Test func removalsCanEmptyTheBody() {
        let result = Segmenter(smartEncoding: true).segment("\u{200B}")
        #expect(result.encoding == .gsm7 && result.segments == 0 && result.parts.isEmpty)
    }
}

@Suite struct ConcatenationHeaderTests {
    @Test func bytes() {
        #expect(ConcatenationHeader.udh(reference: 0x2A, part: 1, of: 3) == [0x05, 0x00, 0x03, 0x2A, 0x03, 0x01])
        #expect(ConcatenationHeader.udh(reference: 0xFF, part: 255, of: 255) == [0x05, 0x00, 0x03, 0xFF, 0xFF, 0xFF])
    }

    @Test func oneHeaderPerPart() {
        let parts = Segmenter().segment(String(repeating: "x", count: 1600)).parts
        let headers = parts.indices.map { ConcatenationHeader.udh(reference: 7, part: $0 + 1, of: parts.count) }
        #expect(headers.map(\.count) == Array(repeating: 6, count: 11))
        #expect(headers.map { $0[5] } == Array(1...11))
        #expect(Set(headers.map { $0[4] }) == [11])
    }
}

/// Random bodies drawn from the four kinds of character that cost differently, in proportions
/// that vary per body so that long GSM-only runs, UCS-2 bodies and boundary cases all occur.
@Suite struct SegmenterPropertyTests {
    static let gsmBasic: [Unicode.Scalar] = GSM7Alphabet.basic.filter { $0 != "\u{1B}" }
    static let gsmExtension: [Unicode.Scalar] = GSM7Alphabet.extensionCharacters
    static let bmp: [Unicode.Scalar] = Array("çñ’“”–…\u{A0}\t`é\u{301}你好ДжΩ\u{2126}\u{200D}\u{FEFF}ÿ\u{FFFD}".unicodeScalars)
    static let astral: [Unicode.Scalar] = Array("😀👩🇺🇸𝄞𠀋🀄".unicodeScalars)

    /// GSM-only bodies most of the time, since one stray scalar makes a body UCS-2.
    static let bodies = zip(
        Gen.int(in: 0...3),
        Gen<UInt32>.value(in: 0...UInt32.max).array(of: 0...420)
    ).map { flavor, draws -> String in
        var scalars = String.UnicodeScalarView()
        for draw in draws {
            typealias Pools = SegmenterPropertyTests
            let pools: [[Unicode.Scalar]] = switch flavor {
            case 0: [Pools.gsmBasic]
            case 1: [Pools.gsmBasic, Pools.gsmBasic, Pools.gsmExtension]
            case 2: [Pools.gsmBasic, Pools.gsmExtension, Pools.bmp, Pools.astral]
            default: draw % 97 == 0 ? [Pools.bmp, Pools.astral] : [Pools.gsmBasic, Pools.gsmExtension]
            }
            let pool = pools[Int(draw % UInt32(pools.count))]
            scalars.append(pool[Int((draw / 8) % UInt32(pool.count))])
        }
        return String(scalars)
    }

    @Test func partsRejoinAndFit() async {
        await propertyCheck(count: 2_000, input: Self.bodies) { text in
            expectWellFormed(Segmenter().segment(text), of: text)
        }
    }

    @Test func segmentCountIsMinimal() async {
        await propertyCheck(count: 2_000, input: Self.bodies) { text in
            let result = Segmenter().segment(text)
            let perPart = result.encoding == .gsm7 ? 153 : 67
            let single = result.encoding == .gsm7 ? 160 : 70
            #expect(result.units <= single ? result.segments == (result.units == 0 ? 0 : 1) : result.segments >= 2)
            // Indivisible items of at most 2 units waste at most 1 unit per part.
            if result.segments > 1 {
                #expect(result.segments <= (result.units + perPart - 2) / (perPart - 1))
                #expect(result.segments >= (result.units + perPart - 1) / perPart)
            }
        }
    }

    @Test func smartEncodingRewritesScalarByScalar() async {
        await propertyCheck(count: 2_000, input: Self.bodies) { text in
            let expected = text.unicodeScalars.flatMap { scalar in
                SmartEncoding.replacement(for: scalar).map { Array($0.unicodeScalars) } ?? [scalar]
            }
            #expect(Array(SmartEncoding.apply(text).unicodeScalars) == expected)
        }
    }

    @Test func smartEncodingKeepsEveryInvariant() async {
        await propertyCheck(count: 2_000, input: Self.bodies) { text in
            let result = Segmenter(smartEncoding: true).segment(text)
            let sent = result.parts.joined()
            expectWellFormed(result, of: sent)
            #expect(sent == text || (sent == SmartEncoding.apply(text) && result.encoding == .gsm7))
        }
    }
}
