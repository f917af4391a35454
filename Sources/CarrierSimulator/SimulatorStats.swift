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

    public init() {}

    enum CodingKeys: String, CodingKey {
        case requests
        case accepted
        case duplicates
        case duplicateRequests = "duplicate_requests"
        case faultsInjected = "faults_injected"
        case callbacksSent = "callbacks_sent"
        case callbacksFailed = "callbacks_failed"
        case inboundPosted = "inbound_posted"
    }
}
