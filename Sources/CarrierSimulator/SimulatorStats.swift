/// Counters for audits and tests; `GET /stats` serves the same numbers.
public struct SimulatorStats: Sendable, Equatable, Encodable {
    /// Message POSTs received that passed authentication, whatever became of them.
    public var requests: Int = 0
    /// Distinct messages taken on (duplicates and faulted POSTs excluded).
    public var accepted: Int = 0
    /// Repeat POSTs per idempotency key: a key posted three times counts 2.
    public var duplicates: [String: Int] = [:]
    public var duplicateRequests: Int = 0
    /// POSTs answered by an injected fault, plus accepted messages whose delivery was made to fail.
    public var faultsInjected: Int = 0
    /// Status callbacks the receiver answered with 2xx.
    public var callbacksSent: Int = 0
    /// Status callbacks given up on after every attempt failed.
    public var callbacksFailed: Int = 0
    /// Inbound messages posted to a webhook, whatever it answered.
    public var inboundPosted: Int = 0
    /// Messages taken on whose answer was then cut off (`accept_then_drop`); also in `faultsInjected`.
    public var acceptedThenDropped: Int = 0
    /// Status callbacks never sent (`lose_callbacks`).
    public var callbacksLost: Int = 0
    /// Texts the carrier took on more than once: what a recipient would get twice.
    public var acceptedMoreThanOnce = AcceptedMoreThanOnce()

    public init() {}

    public struct AcceptedMoreThanOnce: Sendable, Equatable, Encodable {
        /// The same To, From and Body taken on again.
        public var byBody = Repeats()
        /// The same `Idempotency-Key` taken on again. With dedupe on this stays zero: a repeat is
        /// answered from the first acceptance and counted in `duplicates` instead.
        public var byIdempotencyKey = KeyRepeats()

        public init() {}

        enum CodingKeys: String, CodingKey {
            case byBody = "by_body"
            case byIdempotencyKey = "by_idempotency_key"
        }
    }

    public struct Repeats: Sendable, Equatable, Encodable {
        /// Distinct texts taken on twice or more.
        public var texts = 0
        /// Acceptances beyond each text's first: a text taken on three times counts 2.
        public var extraAcceptances = 0

        public init() {}

        enum CodingKeys: String, CodingKey {
            case texts
            case extraAcceptances = "extra_acceptances"
        }
    }

    public struct KeyRepeats: Sendable, Equatable, Encodable {
        public var texts = 0
        public var extraAcceptances = 0
        /// Acceptances beyond the first, per key.
        public var keys: [String: Int] = [:]

        public init() {}

        enum CodingKeys: String, CodingKey {
            case texts, keys
            case extraAcceptances = "extra_acceptances"
        }
    }

    enum CodingKeys: String, CodingKey {
        case requests
        case accepted
        case duplicates
        case duplicateRequests = "duplicate_requests"
        case faultsInjected = "faults_injected"
        case callbacksSent = "callbacks_sent"
        case callbacksFailed = "callbacks_failed"
        case inboundPosted = "inbound_posted"
        case acceptedThenDropped = "accepted_then_dropped"
        case callbacksLost = "callbacks_lost"
        case acceptedMoreThanOnce = "accepted_more_than_once"
    }
}
