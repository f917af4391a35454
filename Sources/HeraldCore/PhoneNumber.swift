/// A US or Canadian geographic phone number, the only kind Herald sends to (docs/domain.md).
/// Only the E.164 text is stored; everything else is read from the area-code table, so a
/// `PhoneNumber` always agrees with the table it was parsed against.
public struct PhoneNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    public let e164: String
    private let area: AreaCode

    public var areaCode: String { String(area.npa) }
    public var region: NANPRegion { area.region }
    public var subdivision: String? { area.subdivision }
    public var timeZones: [String] { area.timeZones }
    public var description: String { e164 }

    private init(national: Int, area: AreaCode) {
        // Written byte by byte: interpolation costs more than the rest of parsing.
        e164 = String(unsafeUninitializedCapacity: 12) { buffer in
            buffer[0] = UInt8(ascii: "+")
            buffer[1] = UInt8(ascii: "1")
            var rest = national
            for index in stride(from: 11, through: 2, by: -1) {
                buffer[index] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                rest /= 10
            }
            return 12
        }
        self.area = area
    }

    public static func == (lhs: PhoneNumber, rhs: PhoneNumber) -> Bool { lhs.e164 == rhs.e164 }
    public func hash(into hasher: inout Hasher) { hasher.combine(e164) }

    // Stored and sent over the wire as the bare E.164 string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        switch Self.parse(try container.decode(String.self)) {
        case let .success(number): self = number
        case let .failure(error): throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(e164)
    }

    /// Reads a number as people type it: "(612) 555-0123", "612.555.0123", "+1 612 555 0123",
    /// "16125550123". One pass over the text, no allocation until the result is built.
    public static func parse(_ text: String) -> Result<PhoneNumber, PhoneNumberError> {
        var digits = DigitRun()
        var sawPlus = false
        for scalar in text.unicodeScalars {
            // Matching on the code point, not on scalar literals, keeps the common path branch-cheap.
            switch scalar.value {
            case 0x30...0x39:  // 0-9
                digits.append(Int(scalar.value) - 0x30)
            case 0x20, 0x2D, 0x2E, 0x28, 0x29, 0x2F, 0x09:  // space - . ( ) / tab
                continue
            case 0x2B where !sawPlus && digits.count == 0:  // +
                sawPlus = true
            default:
                if scalar.properties.isWhitespace || scalar.properties.generalCategory == .dashPunctuation { continue }
                if scalar.properties.numericType == .decimal, let value = scalar.properties.numericValue {
                    digits.append(Int(value))  // full-width and other script digits from copy-paste
                    continue
                }
                if scalar.properties.isAlphabetic { return .failure(.lettersFound(text)) }
                return .failure(.unexpectedCharacter(String(scalar), in: text))
            }
        }
        if digits.count == 0 {
            let blank = text.unicodeScalars.allSatisfy(\.properties.isWhitespace)
            return .failure(blank ? .empty : .noDigits(text))
        }
        if sawPlus {
            if digits.leading(1) != 1 { return .failure(international(digits, typed: text)) }
            guard digits.count == 11 else { return .failure(.wrongLength(digits: "+" + digitsTyped(in: text))) }
            return northAmerican(digits.trailing(10))
        }
        // International dialling prefixes typed instead of "+": 011 (from NANP), 00 (elsewhere).
        if digits.count > 11 {
            if digits.leading(3) == 11 { return .failure(international(digits.dropping(3), typed: text)) }
            if digits.leading(2) == 0 { return .failure(international(digits.dropping(2), typed: text)) }
        }
        switch digits.count {
        case 10: return northAmerican(digits.trailing(10))
        case 11 where digits.leading(1) == 1: return northAmerican(digits.trailing(10))
        default: return .failure(.wrongLength(digits: digitsTyped(in: text)))
        }
    }

    private static func northAmerican(_ national: Int) -> Result<PhoneNumber, PhoneNumberError> {
        let npa = national / 10_000_000
        let exchange = national / 10_000 % 1000
        if npa < 200 { return .failure(.invalidAreaCode(threeDigits(npa))) }
        if npa % 100 == 11 { return .failure(.serviceCode(threeDigits(npa))) }
        if let area = AreaCode.lookup(npa) {
            if exchange < 200 { return .failure(.invalidExchange(threeDigits(exchange))) }
            return .success(PhoneNumber(national: national, area: area))
        }
        let npaText = threeDigits(npa)
        let shown = "+1 \(npaText) \(threeDigits(exchange)) \(String(national % 10_000 + 10_000).dropFirst())"
        if let other = AreaCodeTable.otherNANP.first(where: { $0.npa == npa }) {
            return .failure(.outsideUSAndCanada(number: shown, regionCode: other.regionCode, place: other.name, usTerritory: other.usTerritory))
        }
        if let service = AreaCodeTable.nonGeographic.first(where: { $0.npa == npa }) {
            return .failure(.nonGeographic(number: shown, kind: service.kind))
        }
        return .failure(.unassignedAreaCode(npaText))
    }

    /// Calling codes are prefix-free, so the first of the 1-, 2- and 3-digit prefixes found is the one.
    private static func international(_ digits: DigitRun, typed: String) -> PhoneNumberError {
        let shown = typed.trimmingWhitespace
        for length in 1...3 where digits.count > length {
            let code = digits.leading(length)
            if let country = AreaCodeTable.callingCodes[code] {
                return .notNorthAmerican(number: shown, callingCode: code, country: country)
            }
        }
        return .unknownCallingCode(number: shown)
    }

    private static func digitsTyped(in text: String) -> String {
        var digits = ""
        for scalar in text.unicodeScalars where scalar.properties.numericType == .decimal {
            digits += scalar.properties.numericValue.map { String(Int($0)) } ?? ""
        }
        return digits
    }

    private static func threeDigits(_ value: Int) -> String {
        String(String(value + 1000).dropFirst())
    }
}

public enum NANPRegion: String, Sendable, Codable {
    case us = "US"
    case ca = "CA"
}

/// The digits of a number as typed, packed in an integer so parsing allocates nothing.
/// Past 18 digits only the count grows: no valid input is that long.
private struct DigitRun {
    private(set) var count = 0
    private var value = 0
    private var kept = 0

    mutating func append(_ digit: Int) {
        count += 1
        guard kept < 18 else { return }
        value = value * 10 + digit
        kept += 1
    }

    /// The first `length` digits as a number (leading zeros vanish: 011 reads as 11).
    func leading(_ length: Int) -> Int {
        value / power(kept - min(length, kept))
    }

    func trailing(_ length: Int) -> Int {
        value % power(length)
    }

    func dropping(_ length: Int) -> DigitRun {
        var rest = DigitRun()
        rest.count = count - length
        rest.kept = kept - length
        rest.value = value % power(rest.kept)
        return rest
    }

    private func power(_ exponent: Int) -> Int {
        var result = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
