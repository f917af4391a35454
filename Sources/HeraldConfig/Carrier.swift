import Foundation
import HeraldCore

extension HeraldConfiguration {
    /// The carrier gateway account (docs/carrier.md).
    public struct Carrier: Sendable, Equatable {
        /// Scheme, host and optional port, without a trailing slash.
        public var baseURL: String
        public var accountSID: String
        /// Where the auth token lives; the token itself never sits in the configuration.
        public var tokenSource: TokenSource
        public var connectTimeout: Double
        public var requestTimeout: Double
        /// Cap on posts awaiting a response, across all senders.
        public var maxInFlight: Int
        public var segmentation: Segmentation
        /// What a post that may have reached the carrier without an answer leads to.
        public var unknownOutcome: UnknownOutcome
        /// `lookup`: seconds to wait before asking, so the carrier's list shows a just-created message.
        public var lookupDelay: Double

        /// The rule Core applies to an unknown outcome.
        public var unknownOutcomePolicy: UnknownOutcomePolicy {
            switch unknownOutcome {
            case .lookup: .lookup(delay: lookupDelay)
            case .repost: .repost
            case .hold: .hold
            }
        }

        public init(
            baseURL: String = "https://api.twilio.com",
            accountSID: String,
            tokenSource: TokenSource,
            connectTimeout: Double = 5,
            requestTimeout: Double = 15,
            maxInFlight: Int = 64,
            segmentation: Segmentation = .carrier,
            unknownOutcome: UnknownOutcome = .lookup,
            lookupDelay: Double = UnknownOutcomePolicy.defaultLookupDelay
        ) {
            self.unknownOutcome = unknownOutcome
            self.lookupDelay = lookupDelay
            self.baseURL = baseURL
            self.accountSID = accountSID
            self.tokenSource = tokenSource
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxInFlight = maxInFlight
            self.segmentation = segmentation
        }
    }

    public enum TokenSource: Sendable, Equatable {
        /// An absolute path to a file holding the token.
        case file(path: String)
        /// The name of a systemd credential, read from `$CREDENTIALS_DIRECTORY/<name>`.
        case credential(name: String)
    }

    /// `[carrier] unknown_outcome` (docs/carrier.md, "Unknown outcomes").
    public enum UnknownOutcome: String, Sendable, Equatable, CaseIterable {
        /// Ask the carrier's message list before any re-post.
        case lookup
        /// Re-post with the same idempotency key: safe only on a gateway that dedupes by it.
        case repost
        /// Hold the message `unknown_outcome` for an operator.
        case hold
    }

    /// `[reconcile]`: texts still `sent` are looked up by sid (docs/carrier.md, "Reconciliation").
    public struct Reconcile: Sendable, Equatable {
        /// Seconds after the carrier took a text before it is first looked up.
        public var after: Double
        /// Seconds after which a text the carrier still calls `sent` stays so for good.
        public var giveUpAfter: Double
        /// Lookups per second, at most.
        public var rate: Double
        /// Lookups in flight at once, at most: sends keep the rest of the connections.
        public var inFlight: Int

        public init(after: Double = 900, giveUpAfter: Double = 259_200, rate: Double = 5, inFlight: Int = 4) {
            self.after = after
            self.giveUpAfter = giveUpAfter
            self.rate = rate
            self.inFlight = inFlight
        }

        public var schedule: ReconcileSchedule { ReconcileSchedule(after: after, giveUpAfter: giveUpAfter) }
    }

    /// Who splits a long body into segments: the carrier (one post per message) or Herald
    /// (one post per segment, with its own concatenation headers).
    public enum Segmentation: String, Sendable, Equatable, CaseIterable {
        case carrier
        case client
    }
}
