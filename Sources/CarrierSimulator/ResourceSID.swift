/// Carrier resource ids: a two-letter prefix and 32 hex digits, like `SM…` and `PN…`.
enum ResourceSID {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func make(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = Array(prefix.utf8)
        bytes.reserveCapacity(bytes.count + 32)
        for _ in 0..<2 {
            let word = generator.next() as UInt64
            for shift in stride(from: 60, through: 0, by: -4) {
                bytes.append(hexDigits[Int((word >> UInt64(shift)) & 0xF)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
