/// The GSM 03.38 default alphabet and its extension table, reduced to what segmenting needs:
/// how many septets a scalar costs, or 0 when it cannot be sent as GSM-7 at all.
public enum GSM7Alphabet {
    /// The 128 basic septets in code order, so the table can be checked against 3GPP TS 23.038.
    /// Position 0x1B is the escape to the extension table, not a character; U+001B stands in for it
    /// and is taken out below, so a literal ESC in a body forces UCS-2 like any other stranger.
    static let basic: [Unicode.Scalar] = Array(
        ("@£$¥èéùìòÇ\nØø\rÅå"
            + "Δ_ΦΓΛΩΠΨΣΘΞ\u{1B}ÆæßÉ"
            + " !\"#¤%&'()*+,-./"
            + "0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNO"
            + "PQRSTUVWXYZÄÖÑÜ§"
            + "¿abcdefghijklmno"
            + "pqrstuvwxyzäöñüà").unicodeScalars
    )

    /// Characters reached through ESC, each costing two septets. The default extension table leaves
    /// its other positions unassigned; national language shift tables are not used by Herald.
    static let extensionCharacters: [Unicode.Scalar] = Array("\u{0C}^{}\\[~]|€".unicodeScalars)

    /// Every GSM character except € sits below U+0400 (Latin-1 and the Greek capitals), so a flat
    /// byte table answers nearly every lookup with one load and no hashing.
    private static let tableLimit: UInt32 = 0x400
    private static let euro: UInt32 = 0x20AC

    private static let costs: [UInt8] = {
        var costs = [UInt8](repeating: 0, count: Int(tableLimit))
        for scalar in basic where scalar.value != 0x1B {
            costs[Int(scalar.value)] = 1
        }
        for scalar in extensionCharacters where scalar.value < tableLimit {
            costs[Int(scalar.value)] = 2
        }
        return costs
    }()

    /// Septets `scalar` takes in a GSM-7 body: 1 for the basic table, 2 for the extension table
    /// (escape plus code), 0 when the scalar is not in GSM-7.
    @inline(__always)
    public static func septets(for scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < tableLimit { return Int(costs[Int(value)]) }
        return value == euro ? 2 : 0
    }
}
