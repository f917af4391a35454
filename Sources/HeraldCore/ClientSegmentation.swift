/// One request of a message Herald splits itself (`segmentation = "client"`, docs/segments.md): the text
/// of one segment and the header that lets the handset put the segments back together.
public struct ConcatenatedPart: Sendable, Equatable {
    /// 1-based.
    public var number: Int
    public var total: Int
    public var text: String
    /// Nil for a body that fits one segment: it travels as an ordinary SMS.
    public var udh: [UInt8]?

    public init(number: Int, total: Int, text: String, udh: [UInt8]?) {
        self.number = number
        self.total = total
        self.text = text
        self.udh = udh
    }
}

/// Cuts a body into the requests of client-side segmentation.
///
/// The cut is the `Segmenter`'s, so a message is posted in exactly as many parts as it was
/// counted and billed for: 153 septets or 67 UCS-2 units per part (what a 6-byte header leaves
/// of a 140-byte payload), extension characters and surrogate pairs never split.
public enum ClientSegmentation {
    /// The concatenation reference of a message.
    ///
    /// Derived from the id rather than drawn at random so that a retry, or a re-post after a
    /// crash, sends every part with the reference it had the first time: a handset holding part 1
    /// from the first attempt still matches the parts of the second. Ids are consecutive, so the
    /// low byte gives 256 messages in a row different references; a handset confuses two messages
    /// only if they share sender, reference and part count and arrive interleaved.
    public static func reference(forMessage id: Int64) -> UInt8 {
        UInt8(truncatingIfNeeded: id)
    }

    /// The requests to post for `body`: one per segment, each with its header, or a single one
    /// without a header when the body fits one segment. Empty only for an empty body.
    ///
    /// `body` is the text as stored (after smart encoding), so the plain segmenter cuts it the
    /// way it was counted at ingest.
    public static func parts(of body: String, messageID: Int64) -> [ConcatenatedPart] {
        let segmented = Segmenter().segment(body)
        let total = segmented.parts.count
        guard total > 1 else {
            return segmented.parts.map { ConcatenatedPart(number: 1, total: 1, text: $0, udh: nil) }
        }
        let reference = reference(forMessage: messageID)
        return segmented.parts.enumerated().map { index, text in
            ConcatenatedPart(
                number: index + 1, total: total, text: text,
                udh: ConcatenationHeader.udh(reference: reference, part: index + 1, of: total)
            )
        }
    }
}
