import Foundation

extension HeraldConfiguration {
    /// The carrier gateway account (SPEC §8).
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

        public init(
            baseURL: String = "https://api.twilio.com",
            accountSID: String,
            tokenSource: TokenSource,
            connectTimeout: Double = 5,
            requestTimeout: Double = 15,
            maxInFlight: Int = 64,
            segmentation: Segmentation = .carrier
        ) {
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

    /// Who splits a long body into segments: the carrier (one post per message) or Herald
    /// (one post per segment, with its own concatenation headers).
    public enum Segmentation: String, Sendable, Equatable, CaseIterable {
        case carrier
        case client
    }
}
