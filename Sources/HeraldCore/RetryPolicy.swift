import Foundation

/// The retry curve, Postfix style: each delay doubles the previous one, clamped to [minimum, maximum],
/// then jittered downwards so that a burst of failures does not come back as a burst of retries.
public struct RetryPolicy: Sendable, Equatable {
    public var minimumBackoff: TimeInterval
    public var maximumBackoff: TimeInterval
    /// Posts per message, the first included; reaching it turns a retryable error into `failed`.
    public var maxAttempts: Int
    /// Fraction of the delay that jitter may take away (0 = none, 0.5 = up to half).
    public var jitter: Double

    public init(minimumBackoff: TimeInterval = 5, maximumBackoff: TimeInterval = 3600, maxAttempts: Int = 10, jitter: Double = 0.2) {
        self.minimumBackoff = minimumBackoff
        self.maximumBackoff = maximumBackoff
        self.maxAttempts = maxAttempts
        self.jitter = jitter
    }

    /// Delay before the next post after `attempts` posts have failed.
    /// - Parameter random: a value in [0, 1), injected so the curve is testable.
    public func delay(afterAttempts attempts: Int, random: Double) -> TimeInterval {
        let exponent = Double(max(0, attempts - 1))
        let raw = minimumBackoff * pow(2, min(exponent, 60))
        let clamped = min(maximumBackoff, max(minimumBackoff, raw))
        let jittered = clamped * (1 - jitter * min(max(random, 0), 1))
        return max(minimumBackoff, jittered)
    }
}
