/// How a body travels: GSM-7 septets when every character is in the GSM 03.38 tables, else UCS-2.
public enum SMSEncoding: String, Sendable, Codable {
    case gsm7 = "GSM-7"
    case ucs2 = "UCS-2"
}

/// A character that pushed a body into UCS-2, named so a sender can find and fix it.
public struct UCS2Culprit: Sendable, Equatable, CustomStringConvertible {
    public var scalar: Unicode.Scalar
    /// Index among the body's Unicode scalars, counted from 0 (Python's `text.index(c)`).
    public var offset: Int
    /// For example `’ U+2019 at 2`; invisible scalars (controls, spaces, joiners, combining marks)
    /// show only their code point, since printing them would show nothing or mangle the line.
    public var description: String

    public init(scalar: Unicode.Scalar, offset: Int) {
        self.scalar = scalar
        self.offset = offset
        self.description = Self.describe(scalar, at: offset)
    }

    private static func describe(_ scalar: Unicode.Scalar, at offset: Int) -> String {
        var hex = String(scalar.value, radix: 16, uppercase: true)
        if hex.count < 4 { hex = String(repeating: "0", count: 4 - hex.count) + hex }
        let codePoint = "U+\(hex) at \(offset)"
        switch scalar.properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator,
            .nonspacingMark, .spacingMark, .enclosingMark, .surrogate, .privateUse, .unassigned:
            return codePoint
        default:
            return "\(scalar) \(codePoint)"
        }
    }
}

/// A body measured and cut the way a carrier will bill and deliver it.
public struct SegmentedText: Sendable, Equatable {
    public var encoding: SMSEncoding
    /// Unicode scalars, which is what Python's `len()` and the 1,600-character limit count.
    public var characters: Int
    /// Septets for GSM-7 (extension characters cost 2), UTF-16 code units for UCS-2.
    public var units: Int
    /// Parts billed; 0 for an empty body.
    public var segments: Int
    /// The body cut into parts that together spell it exactly (after smart encoding, if it applied).
    public var parts: [String]
    /// The first few scalars that forced UCS-2, in order; empty for GSM-7.
    public var culprits: [UCS2Culprit]
}

/// Picks the encoding of a body and cuts it into concatenated parts.
///
/// One segment holds 160 septets or 70 UCS-2 units. Beyond that every part loses room to the
/// concatenation header and holds 153 or 67; an extension character (escape + code) or a
/// surrogate pair is never cut in two, because the handset could not decode either half.
/// Parts are cut between Unicode scalars, not grapheme clusters: carriers do the same, and a
/// handset reassembles the parts before drawing them.
public struct Segmenter: Sendable {
    /// docs/segments.md: longer bodies are rejected; enforcing that is the caller's job.
    public static let maximumCharacters = 1600
    /// Enough for a sender to see the pattern; a Chinese body would otherwise list every character.
    public static let maximumCulprits = 10

    public let smartEncoding: Bool

    public init(smartEncoding: Bool = false) {
        self.smartEncoding = smartEncoding
    }

    /// Smart encoding only rewrites a body when the rewrite makes it GSM-7: a body that stays
    /// UCS-2 anyway (an emoji, a Chinese word) is sent as written, since there a `…` made into
    /// `...` would cost more, not less.
    public func segment(_ text: String) -> SegmentedText {
        if smartEncoding, let rewritten = SmartEncoding.rewrite(text) {
            let measured = Self.measure(rewritten)
            if measured.encoding == .gsm7 { return measured }
        }
        return Self.measure(text)
    }

    private static let gsm7 = (single: 160, perPart: 153)
    private static let ucs2 = (single: 70, perPart: 67)

    /// One pass over the scalars that both counts and cuts, for either encoding, since which one
    /// applies is only known at the end.
    private static func measure(_ text: String) -> SegmentedText {
        let scalars = text.unicodeScalars
        var characters = 0
        var septets = 0
        var utf16Units = 0
        var isGSM7 = true
        var culprits: [UCS2Culprit] = []
        var gsm7Cuts = PartCutter(capacity: gsm7.perPart)
        var ucs2Cuts = PartCutter(capacity: ucs2.perPart)

        var index = scalars.startIndex
        while index != scalars.endIndex {
            let scalar = scalars[index]
            let width = scalar.value > 0xFFFF ? 2 : 1
            utf16Units &+= width
            ucs2Cuts.add(width, at: index)
            if isGSM7 || culprits.count < maximumCulprits {
                let cost = GSM7Alphabet.septets(for: scalar)
                if cost == 0 {
                    isGSM7 = false
                    if culprits.count < maximumCulprits {
                        culprits.append(UCS2Culprit(scalar: scalar, offset: characters))
                    }
                } else if isGSM7 {
                    septets &+= cost
                    gsm7Cuts.add(cost, at: index)
                }
            }
            characters &+= 1
            scalars.formIndex(after: &index)
        }

        let encoding: SMSEncoding = isGSM7 ? .gsm7 : .ucs2
        let units = isGSM7 ? septets : utf16Units
        let single = isGSM7 ? gsm7.single : ucs2.single
        let parts: [String]
        if units == 0 {
            parts = []
        } else if units <= single {
            parts = [text]
        } else {
            let cuts = isGSM7 ? gsm7Cuts.cuts : ucs2Cuts.cuts
            var start = scalars.startIndex
            var split: [String] = []
            split.reserveCapacity(cuts.count + 1)
            for cut in cuts + [scalars.endIndex] {
                split.append(String(scalars[start..<cut]))
                start = cut
            }
            parts = split
        }
        return SegmentedText(
            encoding: encoding,
            characters: characters,
            units: units,
            segments: parts.count,
            parts: parts,
            culprits: culprits
        )
    }
}

/// Where parts of a fixed capacity would start, filled greedily with indivisible items.
private struct PartCutter {
    let capacity: Int
    var used = 0
    /// Start of every part but the first.
    var cuts: [String.Index] = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    @inline(__always)
    mutating func add(_ cost: Int, at index: String.Index) {
        if used + cost > capacity {
            cuts.append(index)
            used = 0
        }
        used += cost
    }
}
