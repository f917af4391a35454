import Foundation

/// Whether a contact's number may receive texts that need consent (docs/domain.md, docs/consent.md), per org.
public enum ConsentState: String, Sendable, Equatable, CaseIterable, Codable {
    case unknown
    case optedIn = "opted_in"
    case optedOut = "opted_out"
}

/// How a consent change reached Herald; every ledger row names one.
public enum ConsentType: String, Sendable, Equatable, CaseIterable, Codable {
    case email
    case phone
    case paper
    case web
    case smsResponse = "sms_response"
    case api
}

/// One row of the append-only consent ledger: evidence, never purged (docs/data-safety.md).
public struct ConsentChange: Sendable, Equatable {
    public var id: Int64
    public var at: Date
    public var old: ConsentState
    public var new: ConsentState
    public var type: ConsentType
    /// A staff username, the contact's email for self-service, or "Unknown" for an SMS reply.
    public var changedBy: String
    /// The message that caused it (a 21610 failure), if any.
    public var sourceMessageID: Int64?
    /// The contact's reply that caused it, if any.
    public var sourceInboundID: Int64?
    /// The wording the contact agreed to, or its version: the proof a sender must produce.
    public var wording: String?
    public var note: String?

    /// Who a reply by SMS is recorded as (docs/consent.md).
    public static let contactByReply = "Unknown"

    public init(
        id: Int64, at: Date, old: ConsentState, new: ConsentState, type: ConsentType, changedBy: String,
        sourceMessageID: Int64? = nil, sourceInboundID: Int64? = nil, wording: String? = nil, note: String? = nil
    ) {
        self.id = id
        self.at = at
        self.old = old
        self.new = new
        self.type = type
        self.changedBy = changedBy
        self.sourceMessageID = sourceMessageID
        self.sourceInboundID = sourceInboundID
        self.wording = wording
        self.note = note
    }
}

/// The opt-in request limit (docs/states.md#message-kinds): at most `maxRequests` per (user, contact), at least
/// `minimumSpacing` apart, never to a contact who opted out or already opted in.
public struct OptInRequestPolicy: Sendable, Equatable {
    public var maxRequests: Int
    public var minimumSpacing: TimeInterval

    public init(maxRequests: Int = 3, minimumSpacing: TimeInterval = 12 * 3600) {
        self.maxRequests = maxRequests
        self.minimumSpacing = minimumSpacing
    }

    public enum Decision: Sendable, Equatable {
        case allowed
        case refused(Refusal)
    }

    public enum Refusal: Sendable, Equatable, CustomStringConvertible {
        case optedOut
        case alreadyOptedIn
        /// Every request this user may ever send this contact has been sent.
        case limitReached(sent: Int, limit: Int)
        /// The last request is too recent; the next may go at `next`.
        case tooSoon(next: Date)

        public var code: String {
            switch self {
            case .optedOut: "opted_out"
            case .alreadyOptedIn: "already_opted_in"
            case .limitReached: "optin_limit"
            case .tooSoon: "optin_spacing"
            }
        }

        public var nextAllowed: Date? {
            if case let .tooSoon(next) = self { return next }
            return nil
        }

        public var description: String {
            switch self {
            case .optedOut: "the contact opted out; only their own opt-in (a YES reply) or staff with a consent record can change that"
            case .alreadyOptedIn: "the contact has already opted in"
            case let .limitReached(sent, limit): "\(sent) opt-in requests have been sent to this contact by this user; the limit is \(limit)"
            case let .tooSoon(next): "opt-in requests must be at least 12 hours apart; the next may go at \(Timestamp.format(next))"
            }
        }
    }

    /// - Parameter previous: when earlier requests from this user to this contact were made
    ///   (queued, whatever became of them: a request held by a window still counts).
    public func decide(previous: [Date], consent: ConsentState, now: Date) -> Decision {
        switch consent {
        case .optedOut: return .refused(.optedOut)
        case .optedIn: return .refused(.alreadyOptedIn)
        case .unknown: break
        }
        if previous.count >= maxRequests { return .refused(.limitReached(sent: previous.count, limit: maxRequests)) }
        if let last = previous.max(), now < last + minimumSpacing {
            return .refused(.tooSoon(next: last + minimumSpacing))
        }
        return .allowed
    }
}
