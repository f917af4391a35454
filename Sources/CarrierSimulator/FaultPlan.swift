/// An error the simulated carrier answers a message POST with, Twilio style.
public struct CarrierErrorReply: Error, Sendable, Equatable {
    public var status: Int
    public var code: Int
    public var message: String

    public init(status: Int = 400, code: Int, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }
}

/// A message the carrier accepts but then reports as not delivered in its final status callback.
public struct DeliveryError: Sendable, Equatable {
    public enum Status: String, Sendable {
        case undelivered
        case failed
    }

    public var status: Status
    public var code: Int

    public init(status: Status = .undelivered, code: Int) {
        self.status = status
        self.code = code
    }
}

/// What the next message POST suffers, taken from the count-based faults.
enum CountedFault: Sendable, Equatable {
    /// Close the connection without a complete response.
    case drop
    /// Hold the request this long before answering, to outlast the client's timeout.
    case hang(Duration)
    case throttle(retryAfterSeconds: Int)
    case fail(status: Int)
}

/// Faults the simulator injects, as set through `POST /sim/faults` or in process.
///
/// Count-based faults each cover the next N message POSTs. When several are armed at once, one
/// POST uses up one of them, in the order drop, hang, throttle, fail: the most disruptive first,
/// so a test arming two kinds sees both, deterministically.
public struct FaultPlan: Sendable, Equatable {
    /// Added before every carrier API answer.
    public var latency: Duration = .zero
    /// Held between taking a message on (its callbacks scheduled) and answering the POST: with a
    /// callback delay shorter than this, status callbacks overtake the answer, as they can on a
    /// real carrier.
    public var answerDelay: Duration = .zero
    public var dropNext: Int = 0
    public var hangNext: Int = 0
    public var hangDuration: Duration = .seconds(30)
    public var throttleNext: Int = 0
    public var throttleRetryAfterSeconds: Int = 1
    public var failNext: Int = 0
    public var failStatus: Int = 503
    /// The next `failPartNext` POSTs of part `failPartNumber` of a client-segmented message (as
    /// its `Udh` says) are answered with `failPartStatus`: a failure in the middle of a message.
    public var failPartNext: Int = 0
    public var failPartNumber: Int = 2
    public var failPartStatus: Int = 503
    /// Keyed by destination (`To`): POSTs to it are refused with this error.
    public var errorFor: [String: CarrierErrorReply] = [:]
    /// Keyed by destination (`To`): accepted, then reported undelivered or failed.
    public var deliverErrorFor: [String: DeliveryError] = [:]
    /// Area codes whose number search comes back empty and whose numbers cannot be bought.
    public var exhaustedAreaCodes: Set<String> = []
    /// The next N messages are taken on (recorded, callbacks scheduled, their idempotency key
    /// remembered) and then the connection drops before the answer: the client cannot tell
    /// whether the carrier has the text, which is the true unknown outcome.
    public var acceptThenDropNext: Int = 0
    /// Beyond `acceptThenDropNext`, each message taken on loses its answer with this probability.
    public var acceptThenDropProbability: Double = 0
    /// Each status callback is lost (never sent, not retried) with this probability, as when the
    /// carrier's webhook delivery gives up or the callback never leaves its queue.
    public var loseCallbacksFraction: Double = 0

    public init() {}

    /// Whether a message just taken on loses its answer; uses up one `acceptThenDropNext`.
    mutating func takeAcceptThenDrop<Generator: RandomNumberGenerator>(using generator: inout Generator) -> Bool {
        if acceptThenDropNext > 0 {
            acceptThenDropNext -= 1
            return true
        }
        return Self.chance(acceptThenDropProbability, using: &generator)
    }

    /// Whether one status callback is lost.
    func losesCallback<Generator: RandomNumberGenerator>(using generator: inout Generator) -> Bool {
        Self.chance(loseCallbacksFraction, using: &generator)
    }

    private static func chance<Generator: RandomNumberGenerator>(_ probability: Double, using generator: inout Generator) -> Bool {
        guard probability > 0 else { return false }
        guard probability < 1 else { return true }
        return Double.random(in: 0..<1, using: &generator) < probability
    }

    mutating func takeCountedFault() -> CountedFault? {
        if dropNext > 0 {
            dropNext -= 1
            return .drop
        }
        if hangNext > 0 {
            hangNext -= 1
            return .hang(hangDuration)
        }
        if throttleNext > 0 {
            throttleNext -= 1
            return .throttle(retryAfterSeconds: throttleRetryAfterSeconds)
        }
        if failNext > 0 {
            failNext -= 1
            return .fail(status: failStatus)
        }
        return nil
    }
}
