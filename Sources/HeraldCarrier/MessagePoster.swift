import Foundation
import HeraldCore

/// Posts one claimed message the way the gateway takes it (`[carrier] segmentation`, docs/segments.md):
/// as one request the carrier splits (`carrier`), or as one request per segment, each carrying
/// its concatenation header (`client`), for gateways that accept single segments only.
///
/// In client mode the parts go one after another, in order, and the first part the gateway does
/// not accept decides the message's outcome: a retryable failure retries the message, and the
/// retry posts only the parts the gateway has not taken (each under its own per-part key), so no
/// part reaches the recipient twice even on a gateway that ignores idempotency keys.
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

    /// - Parameters:
    ///   - lookUpFirst: the last post may have reached the carrier without an answer: search the
    ///     carrier's list for it (from `postedSince`) before posting again. Found, it is accepted with
    ///     that sid; not found, it is posted; no answer to the search, it stays unknown.
    ///   - acceptedParts: client mode, the parts the carrier already took: never posted again.
    public func post(
        _ sms: OutboundSMS, lookUpFirst: Bool = false, postedSince: Date = .distantPast, acceptedParts: [Int: String] = [:]
    ) async -> Result {
        let parts = segmentation == .client ? ClientSegmentation.parts(of: sms.body, messageID: sms.messageID) : []
        // A body that fits one segment needs no header: it goes as an ordinary message.
        guard parts.count > 1 else {
            return Result(outcome: await send(sms, lookUpFirst: lookUpFirst, postedSince: postedSince), partSIDs: [])
        }
        var sids: [String] = []
        var segments = 0
        var firstStatus = "queued"
        var unresolved = lookUpFirst
        for part in parts {
            let outcome: CarrierOutcome
            if let sid = acceptedParts[part.number] {
                outcome = .accepted(sid: sid, status: "queued", segments: 1)
            } else {
                // Only the first part not known to be taken can be the one whose answer was lost.
                outcome = await send(Self.request(for: part, of: sms), lookUpFirst: unresolved, postedSince: postedSince)
                unresolved = false
            }
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

    /// Whether `post` makes one plain request of a text: the gateway segments it and nothing need
    /// be asked of the carrier first. Such a text may go by `postWhole`, without a task.
    public func postsWhole(lookUpFirst: Bool) -> Bool {
        segmentation == .carrier && !lookUpFirst
    }

    /// Posts a text `postsWhole` allows, its outcome handed to `finished` on the carrier client's
    /// thread: what `post` would return, for a caller posting many at once.
    public func postWhole(_ sms: OutboundSMS, then finished: @escaping @Sendable (CarrierOutcome) -> Void) {
        carrier.send(sms, then: finished)
    }

    private func send(_ sms: OutboundSMS, lookUpFirst: Bool, postedSince: Date) async -> CarrierOutcome {
        if lookUpFirst {
            switch await carrier.find(sms, postedSince: postedSince) {
            case let .found(sid, status, segments):
                return .accepted(sid: sid, status: status, segments: segments)
            case .notFound:
                break
            case let .throttled(_, detail), let .failed(detail):
                // Still unknown: asked again later, never posted blindly.
                return .retryable(detail: "could not ask the carrier whether it took the last post: \(detail)", httpStatus: nil,
                                  maybeDelivered: true)
            }
        }
        return await carrier.send(sms)
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
        case let .throttled(retryAfter, detail, account):
            return .throttled(retryAfter: retryAfter, detail: prefix + detail, account: account)
        case let .permanent(errorCode, message, httpStatus):
            return .permanent(errorCode: errorCode, message: prefix + message, httpStatus: httpStatus)
        }
    }
}
