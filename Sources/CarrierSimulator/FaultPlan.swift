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

    public init() {}

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
