import HeraldCore

/// The `Udh` form field of a message POST: a user data header in hex, for gateways a client
/// sends concatenated parts through one by one (Herald's `segmentation = "client"`). The
/// simulator checks it the way such a gateway would before it takes the part.
public struct UserDataHeader: Sendable, Equatable {
    /// Which part of which message: from information element 0x00 (8-bit reference) or 0x08 (16-bit).
    public struct Concatenation: Sendable, Equatable, Encodable {
        public var reference: Int
        /// 1-based.
        public var part: Int
        public var parts: Int

        public init(reference: Int, part: Int, parts: Int) {
            self.reference = reference
            self.part = part
            self.parts = parts
        }
    }

    public var bytes: [UInt8]
    public var concatenation: Concatenation

    /// A part's payload is 140 bytes, the header included.
    static let payloadBytes = 140

    public enum Invalid: Error, CustomStringConvertible, Equatable {
        case notHex(String)
        case lengthMismatch(declared: Int, actual: Int)
        case truncatedElement(offset: Int)
        case badConcatenationLength(identifier: UInt8, length: Int)
        case duplicateConcatenation
        case noConcatenation
        case partOutOfRange(part: Int, parts: Int)
        case bodyTooLong(units: Int, unit: String, room: Int)

        public var description: String {
            switch self {
            case let .notHex(text):
                "Udh \"\(text.prefix(40))\" is not an even number of hex digits"
            case let .lengthMismatch(declared, actual):
                "Udh length byte says \(declared) bytes follow, but \(actual) do"
            case let .truncatedElement(offset):
                "Udh information element at byte \(offset) runs past the end of the header"
            case let .badConcatenationLength(identifier, length):
                "Udh concatenation element \(identifier == 0 ? "00" : "08") must hold \(identifier == 0 ? 3 : 4) bytes, not \(length)"
            case .duplicateConcatenation:
                "Udh holds more than one concatenation element"
            case .noConcatenation:
                "Udh has no concatenation element (00 or 08)"
            case let .partOutOfRange(part, parts):
                "Udh says part \(part) of \(parts); parts are numbered 1 to a total of at least 1"
            case let .bodyTooLong(units, unit, room):
                "Body is \(units) \(unit); beside this Udh a part holds at most \(room)"
            }
        }
    }

    public static func parse(hex: String) throws(Invalid) -> UserDataHeader {
        let digits = Array(hex.utf8)
        guard !digits.isEmpty, digits.count.isMultiple(of: 2) else { throw .notHex(hex) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { throw .notHex(hex) }
            bytes.append(high << 4 | low)
            index += 2
        }
        guard Int(bytes[0]) == bytes.count - 1 else { throw .lengthMismatch(declared: Int(bytes[0]), actual: bytes.count - 1) }

        var concatenation: Concatenation?
        var offset = 1
        while offset < bytes.count {
            guard offset + 1 < bytes.count, offset + 2 + Int(bytes[offset + 1]) <= bytes.count else {
                throw .truncatedElement(offset: offset)
            }
            let identifier = bytes[offset]
            let length = Int(bytes[offset + 1])
            let data = Array(bytes[(offset + 2)..<(offset + 2 + length)])
            if identifier == 0x00 || identifier == 0x08 {
                guard concatenation == nil else { throw .duplicateConcatenation }
                let wide = identifier == 0x08
                guard length == (wide ? 4 : 3) else { throw .badConcatenationLength(identifier: identifier, length: length) }
                let reference = wide ? Int(data[0]) << 8 | Int(data[1]) : Int(data[0])
                let parts = Int(data[wide ? 2 : 1])
                let part = Int(data[wide ? 3 : 2])
                guard parts >= 1, (1...parts).contains(part) else { throw .partOutOfRange(part: part, parts: parts) }
                concatenation = Concatenation(reference: reference, part: part, parts: parts)
            }
            offset += 2 + length
        }
        guard let concatenation else { throw .noConcatenation }
        return UserDataHeader(bytes: bytes, concatenation: concatenation)
    }

    /// Checks that `body` fits beside the header in one 140-byte payload, in the encoding the
    /// gateway would pick for it.
    public func check(body: String) throws(Invalid) {
        let room = Self.payloadBytes - bytes.count
        let measured = Segmenter().segment(body)
        switch measured.encoding {
        case .gsm7:
            let septets = room * 8 / 7
            if measured.units > septets { throw .bodyTooLong(units: measured.units, unit: "GSM-7 septets", room: septets) }
        case .ucs2:
            let units = room / 2
            if measured.units > units { throw .bodyTooLong(units: measured.units, unit: "UCS-2 units", room: units) }
        }
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
