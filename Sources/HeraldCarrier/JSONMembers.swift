/// The top-level members of one JSON object, for a carrier's answer to every POST.
///
/// `JSONDecoder` cost about 7 µs an answer, 4 % of a text's CPU (docs/benchmarks.md): it builds a
/// map of the whole document and a keyed container of boxed values to read five fields. This
/// reader validates the document as strictly as JSON asks (RFC 8259: grammar, string escapes,
/// UTF-8, no trailing bytes) in one pass and copies only the top-level members asked for. Where
/// it is not sure it would agree with `JSONDecoder` (a lone half of a surrogate pair in a `\u`
/// escape, nesting deeper than `maxDepth`), it fails, as for a body that is not JSON, and the
/// caller decodes with `JSONDecoder`.
enum JSONMembers {
    enum Value: Equatable {
        case string(String)
        /// A number without fraction or exponent that fits an `Int`.
        case integer(Int)
        case null
        /// true, false, any other number, an object or an array: skipped, validated.
        case other
    }

    static let maxDepth = 64

    /// Validates `body` as one JSON object and hands `visit` each top-level member `field`
    /// recognises by its name's UTF-8 (escapes resolved), in order, under the number `field` gave
    /// it; other members are validated and skipped without being copied. False when `body` is not
    /// one JSON object, is one this reader leaves to `JSONDecoder`, or `visit` said false.
    static func read(
        _ body: [UInt8], fields field: (UnsafeBufferPointer<UInt8>) -> Int?, visit: (Int, Value) -> Bool
    ) -> Bool {
        body.withUnsafeBufferPointer { bytes in
            var reader = Reader(bytes: bytes)
            return reader.skipObject(depth: 1, field, visit) && reader.atEnd
        }
    }
}

private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")

    /// Nothing but whitespace is left.
    var atEnd: Bool {
        mutating get {
            skipSpace()
            return at == bytes.count
        }
    }

    private var next: UInt8? { at < bytes.count ? bytes[at] : nil }

    private mutating func skipSpace() {
        while let byte = next, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { at += 1 }
    }

    private mutating func take(_ ascii: Unicode.Scalar) -> Bool {
        skipSpace()
        guard next == UInt8(ascii: ascii) else { return false }
        at += 1
        return true
    }

    /// An object from its `{`; at depth 1, `visit` is handed the members `field` recognises.
    mutating func skipObject(depth: Int, _ field: (UnsafeBufferPointer<UInt8>) -> Int?, _ visit: (Int, JSONMembers.Value) -> Bool) -> Bool {
        guard depth <= JSONMembers.maxDepth, take("{") else { return false }
        if take("}") { return true }
        repeat {
            skipSpace()
            guard next == Self.quote, let name = stringBounds() else { return false }
            if !name.ascii || name.escaped {
                // Only checked: a name that is not UTF-8 makes the document invalid.
                guard Self.text(name) != nil else { return false }
            }
            var recognised: Int?
            if depth == 1 {
                if name.escaped {
                    guard let unescaped = Self.unescape(name.content) else { return false }
                    recognised = unescaped.withUnsafeBufferPointer(field)
                } else {
                    recognised = field(name.content)
                }
            }
            guard take(":") else { return false }
            skipSpace()
            guard let value = value(depth: depth, copying: recognised != nil) else { return false }
            if let recognised, !visit(recognised, value) { return false }
        } while take(",")
        return take("}")
    }

    /// A value; a string is copied out only when `copying`, else validated and given as "".
    private mutating func value(depth: Int, copying: Bool) -> JSONMembers.Value? {
        guard let byte = next else { return nil }
        switch byte {
        case Self.quote:
            guard let string = stringBounds() else { return nil }
            if copying { return Self.text(string).map { .string($0) } }
            // Plain ASCII is valid as it stands; escapes and other bytes are checked by resolving them.
            if string.escaped || !string.ascii, Self.text(string) == nil { return nil }
            return .string("")
        case UInt8(ascii: "{"):
            return skipObject(depth: depth + 1, { _ in nil }, { _, _ in true }) ? .other : nil
        case UInt8(ascii: "["):
            guard depth + 1 <= JSONMembers.maxDepth else { return nil }
            at += 1
            if take("]") { return .other }
            repeat {
                skipSpace()
                guard value(depth: depth + 1, copying: false) != nil else { return nil }
            } while take(",")
            return take("]") ? .other : nil
        case UInt8(ascii: "t"): return literal("true") ? .other : nil
        case UInt8(ascii: "f"): return literal("false") ? .other : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return nil
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - at >= count else { return false }
        for offset in 0..<count where bytes[at + offset] != word.utf8Start[offset] { return false }
        at += count
        return true
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func number() -> JSONMembers.Value? {
        let start = at
        if next == UInt8(ascii: "-") { at += 1 }
        guard let first = next, isDigit(first) else { return nil }
        at += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        var whole = true
        if next == UInt8(ascii: ".") {
            at += 1
            guard skipDigits() else { return nil }
            whole = false
        }
        if next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            at += 1
            if next == UInt8(ascii: "+") || next == UInt8(ascii: "-") { at += 1 }
            guard skipDigits() else { return nil }
            whole = false
        }
        guard whole else { return .other }
        // Beyond Int, JSONDecoder's Int refuses it; `.other` leaves the field to it.
        return Int(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)).map { .integer($0) } ?? .other
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// True when at least one digit was skipped.
    @discardableResult
    private mutating func skipDigits() -> Bool {
        let start = at
        while let byte = next, isDigit(byte) { at += 1 }
        return at > start
    }

    /// A string from its opening quote to past its closing one: its content, still escaped.
    private mutating func stringBounds() -> (content: UnsafeBufferPointer<UInt8>, escaped: Bool, ascii: Bool)? {
        at += 1
        let start = at
        var escaped = false
        var ascii = true
        while let byte = next, byte != Self.quote {
            if byte < 0x20 { return nil }
            if byte == Self.backslash {
                escaped = true
                at += 2
                continue
            }
            if byte >= 0x80 { ascii = false }
            at += 1
        }
        guard at < bytes.count else { return nil }
        defer { at += 1 }
        return (UnsafeBufferPointer(rebasing: bytes[start..<at]), escaped, ascii)
    }

    /// A string's text, escapes resolved; nil if it is not valid JSON or UTF-8.
    private static func text(_ string: (content: UnsafeBufferPointer<UInt8>, escaped: Bool, ascii: Bool)) -> String? {
        if string.escaped { return unescape(string.content).flatMap { String(validating: $0, as: UTF8.self) } }
        return string.ascii ? String(decoding: string.content, as: UTF8.self) : String(validating: string.content, as: UTF8.self)
    }

    /// The bytes `content` stands for, escapes resolved (not yet checked as UTF-8).
    private static func unescape(_ content: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(content.count)
        var index = 0
        while index < content.count {
            let byte = content[index]
            guard byte == backslash else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < content.count else { return nil }
            let escaped = content[index + 1]
            index += 2
            switch escaped {
            case quote, backslash, UInt8(ascii: "/"): out.append(escaped)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var code = hex4(content, at: index) else { return nil }
                index += 4
                if (0xD800..<0xDC00).contains(code) {
                    // A pair written as two escapes (how JSON writes an emoji); a lone half is left to JSONDecoder.
                    guard index + 6 <= content.count, content[index] == backslash, content[index + 1] == UInt8(ascii: "u"),
                          let low = hex4(content, at: index + 2), (0xDC00..<0xE000).contains(low)
                    else { return nil }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                guard let scalar = Unicode.Scalar(code) else { return nil }
                UTF8.encode(scalar) { out.append($0) }
            default:
                return nil
            }
        }
        return out
    }

    /// Four hex digits, as a `\u` escape has them.
    private static func hex4(_ content: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt32? {
        guard index + 4 <= content.count else { return nil }
        var value: UInt32 = 0
        for byte in content[index..<index + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
