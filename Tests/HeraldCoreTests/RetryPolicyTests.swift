import Foundation
import PropertyBased
import Testing

import HeraldCore

@Suite("RetryPolicy")
struct RetryPolicyTests {
    let policy = RetryPolicy(minimumBackoff: 5, maximumBackoff: 3600, maxAttempts: 10, jitter: 0.2)

    @Test("without jitter the delay doubles from the minimum", arguments: [
        (0, 5.0), (1, 5.0), (2, 10.0), (3, 20.0), (4, 40.0), (5, 80.0), (10, 2560.0),
    ])
    func doubling(attempts: Int, expected: TimeInterval) {
        #expect(policy.delay(afterAttempts: attempts, random: 0) == expected)
    }

    @Test func clampedToTheMaximum() {
        #expect(policy.delay(afterAttempts: 11, random: 0) == 3600)
        #expect(policy.delay(afterAttempts: 40, random: 0) == 3600)
    }

    @Test func minimumAboveMaximumNeverGoesBelowTheMinimum() {
        let odd = RetryPolicy(minimumBackoff: 10, maximumBackoff: 3, maxAttempts: 3, jitter: 0.5)
        #expect(odd.delay(afterAttempts: 1, random: 0) >= 10)
        #expect(odd.delay(afterAttempts: 9, random: 0.9) >= 10)
    }

    @Test("hugely many attempts neither overflow nor trap", arguments: [61, 62, 100, 1_000_000, Int.max])
    func hugeAttemptCounts(attempts: Int) {
        let full = policy.delay(afterAttempts: attempts, random: 0)
        #expect(full == 3600)
        #expect(full.isFinite)
        let jittered = policy.delay(afterAttempts: attempts, random: 0.999_999)
        #expect(jittered.isFinite)
        #expect(jittered >= 3600 * 0.8 && jittered <= 3600)
        // No maximum at all: the exponent is capped, so the result stays finite.
        let unbounded = RetryPolicy(minimumBackoff: 5, maximumBackoff: .infinity, maxAttempts: 10, jitter: 0)
        #expect(unbounded.delay(afterAttempts: attempts, random: 0).isFinite)
    }

    @Test func randomZeroGivesTheFullDelay() {
        #expect(policy.delay(afterAttempts: 4, random: 0) == 40)
    }

    @Test func randomNearOneTakesTheWholeJitterAway() {
        let delay = policy.delay(afterAttempts: 4, random: 0.999_999_9)
        #expect(abs(delay - 40 * 0.8) < 1e-4)
        #expect(delay >= 32)
        // Out-of-range randoms are clamped to [0, 1].
        #expect(policy.delay(afterAttempts: 4, random: 1) == 32)
        #expect(policy.delay(afterAttempts: 4, random: 7) == 32)
        #expect(policy.delay(afterAttempts: 4, random: -3) == 40)
    }

    @Test func halfwayRandomTakesHalfTheJitter() {
        #expect(abs(policy.delay(afterAttempts: 4, random: 0.5) - 36) < 1e-9)
    }

    @Test func jitterNeverTakesTheDelayBelowTheMinimum() {
        // 5 s × (1 − 0.2) would be 4 s.
        #expect(policy.delay(afterAttempts: 1, random: 0.999) == 5)
        let wild = RetryPolicy(minimumBackoff: 5, maximumBackoff: 3600, maxAttempts: 10, jitter: 1)
        #expect(wild.delay(afterAttempts: 1, random: 0.999) == 5)
        #expect(wild.delay(afterAttempts: 3, random: 0.999) >= 5)
    }

    @Test func zeroJitterIsDeterministic() {
        let plain = RetryPolicy(minimumBackoff: 2, maximumBackoff: 100, maxAttempts: 5, jitter: 0)
        #expect(plain.delay(afterAttempts: 3, random: 0) == 8)
        #expect(plain.delay(afterAttempts: 3, random: 0.9) == 8)
    }

    @Test func everyDelayLiesInsideItsBounds() async {
        let policy = policy
        await propertyCheck(count: 2_000, input: Gen.int(in: 0...200), Gen.double(in: 0..<1)) { attempts, random in
            let full = policy.delay(afterAttempts: attempts, random: 0)
            let delay = policy.delay(afterAttempts: attempts, random: random)
            #expect(full >= policy.minimumBackoff && full <= policy.maximumBackoff)
            #expect(delay <= full)
            #expect(delay >= max(policy.minimumBackoff, full * (1 - policy.jitter)) - 1e-9)
            // More failures never shorten the full delay.
            #expect(policy.delay(afterAttempts: attempts + 1, random: 0) >= full)
        }
    }
}
