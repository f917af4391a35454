import Foundation
import PropertyBased
import Testing

@testable import HeraldCore

/// The requests of `segmentation = "client"`: what each part carries, checked against counts made
/// here independently of the segmenter (septets by table lookup, UCS-2 by Swift's UTF-16 view).
@Suite struct ClientSegmentationTests {
    private static func septets(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + GSM7Alphabet.septets(for: $1) }
    }

    private static func isGSM7(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { GSM7Alphabet.septets(for: $0) > 0 }
    }

    /// What every list of parts must satisfy, whatever the body.
    private static func expectValid(_ parts: [ConcatenatedPart], body: String, messageID: Int64,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(parts.map(\.text).joined() == body, sourceLocation: sourceLocation)
        #expect(parts.map(\.number) == Array(1..<(parts.count + 1)), sourceLocation: sourceLocation)
        #expect(parts.allSatisfy { $0.total == parts.count }, sourceLocation: sourceLocation)
        let gsm = isGSM7(body)
        if parts.count == 1 {
            #expect(parts[0].udh == nil, sourceLocation: sourceLocation)
            #expect(gsm ? septets(body) <= 160 : body.utf16.count <= 70, sourceLocation: sourceLocation)
            return
        }
        let reference = UInt8(truncatingIfNeeded: messageID)
        for part in parts {
            #expect(part.udh == [0x05, 0x00, 0x03, reference, UInt8(parts.count), UInt8(part.number)], sourceLocation: sourceLocation)
            #expect(gsm ? septets(part.text) <= 153 : part.text.utf16.count <= 67, "part \(part.number)", sourceLocation: sourceLocation)
            // An escape and its character, or the halves of a surrogate pair, stay together:
            // every part is whole scalars, and in GSM-7 every scalar brings its escape along.
            #expect(!part.text.isEmpty, sourceLocation: sourceLocation)
            #expect(!UTF16.isTrailSurrogate(part.text.utf16.first!), sourceLocation: sourceLocation)
            #expect(!UTF16.isLeadSurrogate(part.text.utf16.last!), sourceLocation: sourceLocation)
        }
    }

    @Test("a 3-part GSM-7 body: 153 + 153 + rest, one reference, part i of 3")
    func threeGSMParts() {
        let body = String(repeating: "0123456789", count: 40)  // 400 septets
        let parts = ClientSegmentation.parts(of: body, messageID: 0x1_0203)
        #expect(parts.map { $0.text.count } == [153, 153, 94])
        #expect(parts.map { $0.udh ?? [] } == [
            [0x05, 0x00, 0x03, 0x03, 0x03, 0x01],
            [0x05, 0x00, 0x03, 0x03, 0x03, 0x02],
            [0x05, 0x00, 0x03, 0x03, 0x03, 0x03],
        ])
        Self.expectValid(parts, body: body, messageID: 0x1_0203)
    }

    @Test("an extension character that would straddle parts moves whole to the next part")
    func escapeNeverSplit() {
        // 152 septets, then € (escape + code): 154 would not fit, so part 1 stops at 152.
        let body = String(repeating: "a", count: 152) + "€" + String(repeating: "b", count: 20)
        let parts = ClientSegmentation.parts(of: body, messageID: 9)
        #expect(parts.count == 2)
        #expect(parts[0].text == String(repeating: "a", count: 152))
        #expect(parts[1].text.hasPrefix("€"))
        #expect(Self.septets(parts[1].text) == 22)
        Self.expectValid(parts, body: body, messageID: 9)
    }

    @Test("a surrogate pair that would straddle parts moves whole to the next part")
    func surrogateNeverSplit() {
        // 66 UCS-2 units, then an emoji (2 units): 68 would not fit, so part 1 stops at 66.
        let body = String(repeating: "Ж", count: 66) + "😀" + String(repeating: "Ж", count: 10)
        let parts = ClientSegmentation.parts(of: body, messageID: 300)
        #expect(parts.map { $0.text.utf16.count } == [66, 12])
        #expect(parts[1].text.hasPrefix("😀"))
        #expect(parts.allSatisfy { $0.udh?[3] == UInt8(300 % 256) })
        Self.expectValid(parts, body: body, messageID: 300)
    }

    @Test("a body that fits one segment is one part without a header")
    func singleSegmentHasNoHeader() {
        for body in [String(repeating: "x", count: 160), String(repeating: "’", count: 70), "Hi"] {
            let parts = ClientSegmentation.parts(of: body, messageID: 5)
            #expect(parts == [ConcatenatedPart(number: 1, total: 1, text: body, udh: nil)])
        }
        #expect(ClientSegmentation.parts(of: String(repeating: "x", count: 161), messageID: 5).count == 2)
        #expect(ClientSegmentation.parts(of: String(repeating: "’", count: 71), messageID: 5).count == 2)
    }

    @Test("the reference is the message's: the same on every retry, different for the next messages")
    func referenceIsStable() {
        let body = String(repeating: "retry me ", count: 30)
        let first = ClientSegmentation.parts(of: body, messageID: 4242)
        let again = ClientSegmentation.parts(of: body, messageID: 4242)
        #expect(first == again)
        let references = (4242..<4242 + 256).map { ClientSegmentation.reference(forMessage: Int64($0)) }
        #expect(Set(references).count == 256)
    }

    @Test("as many parts as the segmenter bills, every part within its limit, for random bodies")
    func randomBodies() async {
        await propertyCheck(count: 2_000, input: SegmenterPropertyTests.bodies) { body in
            let parts = ClientSegmentation.parts(of: body, messageID: 77)
            #expect(parts.count == Segmenter().segment(body).segments)
            if !parts.isEmpty { Self.expectValid(parts, body: body, messageID: 77) }
        }
    }
}
