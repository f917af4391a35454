import HeraldCore

/// Posts one claimed message the way the gateway takes it (`[carrier] segmentation`, SPEC §7):
/// as one request the carrier splits (`carrier`), or as one request per segment, each carrying
/// its concatenation header (`client`), for gateways that accept single segments only.
///
/// In client mode the parts go one after another, in order, and the first part the gateway does
/// not accept decides the message's outcome: a retryable failure retries the whole message, and
/// the retry re-posts every part under the same per-part idempotency key, so the gateway answers
/// the parts it already took with their first answer instead of sending them twice.
public struct MessagePoster: Sendable {
    public enum Segmentation: Sendable, Equatable {
        case carrier
        case client
    }

    public struct Result: Sendable, Equatable {
        public var outcome: CarrierOutcome
        /// Client mode: the sids of the parts the gateway accepted, in part order (all of them when
        /// `outcome` is `.accepted`). Empty for a message posted whole.
        public var partSIDs: [String]
    }

    /// The status callback URL of part `n` of `total` carries these parameters, so a callback
    /// names its part even when it arrives before the post of that part is recorded.
    public static let partParameter = "part"
    public static let partsParameter = "parts"

    private let carrier: any CarrierClient
    private let segmentation: Segmentation

    public init(carrier: any CarrierClient, segmentation: Segmentation) {
        self.carrier = carrier
        self.segmentation = segmentation
    }

    public func post(_ sms: OutboundSMS) async -> Result {
        guard segmentation == .client else {
            return Result(outcome: await carrier.send(sms), partSIDs: [])
        }
        let parts = ClientSegmentation.parts(of: sms.body, messageID: sms.messageID)
        // A body that fits one segment needs no header: it goes as an ordinary message.
        guard parts.count > 1 else {
            return Result(outcome: await carrier.send(sms), partSIDs: [])
        }
        var sids: [String] = []
        var segments = 0
        var firstStatus = "queued"
        for part in parts {
            let outcome = await carrier.send(Self.request(for: part, of: sms))
            guard case let .accepted(sid, status, partSegments) = outcome else {
                return Result(outcome: Self.naming(part, in: outcome), partSIDs: sids)
            }
            if sids.isEmpty { firstStatus = status }
            sids.append(sid)
            segments += partSegments ?? 1
        }
        // The message is known to the carrier by its first part; every part's sid is recorded.
        return Result(outcome: .accepted(sid: sids[0], status: firstStatus, segments: segments), partSIDs: sids)
    }

    /// Part `n` of a message: its own text and header, an idempotency key of its own (the
    /// message's plus the part), and a callback URL naming the part.
    static func request(for part: ConcatenatedPart, of sms: OutboundSMS) -> OutboundSMS {
        var request = sms
        request.body = part.text
        request.udh = part.udh
        request.idempotencyKey = "\(sms.idempotencyKey)-p\(part.number)of\(part.total)"
        request.statusCallback = sms.statusCallback.map { url in
            url + (url.contains("?") ? "&" : "?") + "\(partParameter)=\(part.number)&\(partsParameter)=\(part.total)"
        }
        return request
    }

    /// The outcome with the failing part named, for the event an operator reads.
    private static func naming(_ part: ConcatenatedPart, in outcome: CarrierOutcome) -> CarrierOutcome {
        let prefix = "part \(part.number) of \(part.total): "
        switch outcome {
        case .accepted:
            return outcome
        case let .retryable(detail, httpStatus, maybeDelivered):
            return .retryable(detail: prefix + detail, httpStatus: httpStatus, maybeDelivered: maybeDelivered)
        case let .throttled(retryAfter, detail):
            return .throttled(retryAfter: retryAfter, detail: prefix + detail)
        case let .permanent(errorCode, message, httpStatus):
            return .permanent(errorCode: errorCode, message: prefix + message, httpStatus: httpStatus)
        }
    }
}
