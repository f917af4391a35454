/// The user data header that lets a handset reassemble a long message, for gateways where
/// Herald sends each part itself (`segmentation = "client"`).
///
/// Its 6 bytes are what the per-part limits of 153 septets and 67 UCS-2 units leave room for
/// in a 140-byte payload.
public struct ConcatenationHeader {
    /// UDH length (5 bytes follow), information element 0x00 (concatenated SMS, 8-bit reference),
    /// element length 3.
    private static let prefix: [UInt8] = [0x05, 0x00, 0x03]

    /// The header for part `part` (1-based) of `total`, all parts of one message sharing `reference`.
    public static func udh(reference: UInt8, part: Int, of total: Int) -> [UInt8] {
        precondition((1...255).contains(total), "a concatenated message has 1...255 parts, not \(total)")
        precondition((1...total).contains(part), "part \(part) is outside 1...\(total)")
        return prefix + [reference, UInt8(total), UInt8(part)]
    }
}
