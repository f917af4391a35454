import Foundation
import Testing

import HeraldCore

@Suite("SenderRateLimiter")
struct SenderRateLimiterTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let alice = "+16125550100"
    let bob = "+16125550199"

    @Test func oneSegmentPerSecondGivesExactSlots() {
        var limiter = SenderRateLimiter()
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0) == .now)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0) == .later(t0 + 1, .senderRate))
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0) == .later(t0 + 2, .senderRate))
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0) == .later(t0 + 3, .senderRate))
    }

    @Test func sendersAreIndependent() {
        var limiter = SenderRateLimiter()
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0) == .now)
        #expect(limiter.admit(sender: bob, segments: 1, rate: 1, now: t0) == .now)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0) == .later(t0 + 1, .senderRate))
    }

    @Test func aSlotOnceReachedGoesNow() {
        var limiter = SenderRateLimiter()
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0) == .now)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 1) == .now)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 5) == .now)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 5) == .later(t0 + 6, .senderRate))
    }

    @Test func multiSegmentMessagesCostTheirSegments() {
        var limiter = SenderRateLimiter()
        #expect(limiter.admit(sender: alice, segments: 3, rate: 1, now: t0) == .now)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0) == .later(t0 + 3, .senderRate))
        #expect(limiter.admit(sender: alice, segments: 2, rate: 1, now: t0) == .later(t0 + 4, .senderRate))
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0) == .later(t0 + 6, .senderRate))
        // At 3 segments/s (toll-free), a 3-segment text takes one second.
        var tollFree = SenderRateLimiter()
        #expect(tollFree.admit(sender: bob, segments: 3, rate: 3, now: t0) == .now)
        #expect(tollFree.admit(sender: bob, segments: 3, rate: 3, now: t0) == .later(t0 + 1, .senderRate))
    }

    @Test func zeroSegmentsCountsAsOne() {
        var limiter = SenderRateLimiter()
        #expect(limiter.admit(sender: alice, segments: 0, rate: 1, now: t0) == .now)
        #expect(limiter.admit(sender: alice, segments: 0, rate: 1, now: t0) == .later(t0 + 1, .senderRate))
    }

    @Test func shortCodeBurstsOneSecondsWorthThenPaces() throws {
        var limiter = SenderRateLimiter()
        for index in 0..<100 {
            let admission = limiter.admit(sender: alice, segments: 1, rate: 100, now: t0)
            #expect(admission == .now, "send \(index + 1) of the first 100 should go at once")
        }
        for index in 1...3 {
            guard case let .later(at, reason) = limiter.admit(sender: alice, segments: 1, rate: 100, now: t0) else {
                Issue.record("send \(100 + index) should wait")
                continue
            }
            #expect(reason == .senderRate)
            #expect(abs(at.timeIntervalSince(t0) - Double(index) * 0.01) < 1e-6)
        }
    }

    @Test func aTextHeldToItsSlotGoesThereWithoutQueueingAgain() {
        var limiter = SenderRateLimiter()
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0) == .now)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0) == .later(t0 + 1, .senderRate))
        // The deferred message comes back at its slot and goes.
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 1, heldToSlot: true) == .now)
        // It did not take another slot: the next newcomer gets t0 + 2, not t0 + 3.
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 1) == .later(t0 + 2, .senderRate))
    }

    @Test("texts whose slots passed while nothing was sent go at the cap at once: not all together, not after the line")
    func lateTextsGoAtTheCapAtOnce() {
        var limiter = SenderRateLimiter()
        // A line of 100 texts at 10/s: 10 go at once, 90 are held to slots until t0 + 9.
        var slots: [Date] = []
        for _ in 0..<100 {
            if case let .later(slot, .senderRate) = limiter.admit(sender: alice, segments: 1, rate: 10, now: t0) { slots.append(slot) }
        }
        #expect(slots.count == 90)
        #expect(abs(slots.last!.timeIntervalSince(t0) - 9.0) < 1e-4)
        // Nothing was sent for 5 s (a stalled dispatcher); the 50 texts whose slots passed come back
        // together. A second's worth go, the rest queue again at the end of the line.
        let late = slots.prefix(50).map { _ in limiter.admit(sender: alice, segments: 1, rate: 10, now: t0 + 5, heldToSlot: true) }
        #expect(late.filter { $0 == .now }.count == 10)
        #expect(late.compactMap { if case let .later(at, _) = $0 { at } else { nil } }.allSatisfy { $0 > t0 + 9.0 })
        // The texts whose slots are still ahead go at them, at the cap.
        #expect(limiter.admit(sender: alice, segments: 1, rate: 10, now: slots[60], heldToSlot: true) == .now)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 10, now: slots[61], heldToSlot: true) == .now)
    }

    @Test("an answer or a conversation goes before the texts held in its number's line; the held text whose slot it took joins the end")
    func aheadOfTheLine() {
        var limiter = SenderRateLimiter()
        // A broadcast's backlog: one goes, four are held to t0+1 ... t0+4.
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0) == .now)
        for i in 1...4 {
            #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0) == .later(t0 + Double(i), .senderRate))
        }
        // A STOP's confirmation at t0 + 0.5: the next slot, not after the four.
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 0.5, ahead: true) == .later(t0 + 1, .senderRate))
        // A second answer queues behind it, still ahead of the line.
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 0.5, ahead: true) == .later(t0 + 2, .senderRate))
        // At t0 + 1 the answer goes (a claim looks at higher priorities first); the held text of
        // that slot gives way, to the end of the line, and so does the next one for the second answer.
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 1, heldToSlot: true, ahead: true) == .now)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 1, heldToSlot: true) == .later(t0 + 5, .senderRate))
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 2, heldToSlot: true, ahead: true) == .now)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 2, heldToSlot: true) == .later(t0 + 6, .senderRate))
        // The rest of the line goes at its slots: one text a second throughout.
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 3, heldToSlot: true) == .now)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 4, heldToSlot: true) == .now)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 4) == .later(t0 + 7, .senderRate))
        // With the burst unspent, an answer goes at once.
        #expect(limiter.admit(sender: bob, segments: 1, rate: 1, now: t0, ahead: true) == .now)
    }

    @Test("a 429 holds every sender of the account until its Retry-After; a 30001 only its own")
    func accountBlockHoldsEverySender() {
        var limiter = SenderRateLimiter()
        limiter.blockAccount(until: t0 + 30)
        limiter.blockAccount(until: t0 + 10)  // an earlier end never shortens the pause
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0) == .later(t0 + 30, .carrierBackoff))
        #expect(limiter.admit(sender: bob, segments: 1, rate: 0, now: t0 + 5) == .later(t0 + 30, .carrierBackoff), "even a sender without a cap")
        #expect(limiter.admit(sender: bob, segments: 1, rate: 1, now: t0 + 5, ahead: true) == .later(t0 + 30, .carrierBackoff))
        limiter.prune(now: t0 + 20)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 20) == .later(t0 + 30, .carrierBackoff), "a prune keeps a pause still running")
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 30) == .now)
        #expect(limiter.admit(sender: bob, segments: 1, rate: 1, now: t0 + 30) == .now)
    }

    @Test func blockHoldsTheSenderAsCarrierBackoffUntilThen() {
        var limiter = SenderRateLimiter()
        limiter.block(sender: alice, until: t0 + 30)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0) == .later(t0 + 30, .carrierBackoff))
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 29, heldToSlot: true) == .later(t0 + 30, .carrierBackoff))
        // Other senders are not held.
        #expect(limiter.admit(sender: bob, segments: 1, rate: 1, now: t0) == .now)
        // A shorter block does not shorten a longer one.
        limiter.block(sender: alice, until: t0 + 10)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 11) == .later(t0 + 30, .carrierBackoff))
        limiter.block(sender: alice, until: t0 + 60)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 31) == .later(t0 + 60, .carrierBackoff))
        // Once it has passed, the sender goes again.
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 60) == .now)
    }

    @Test func noRateMeansNoCap() {
        var limiter = SenderRateLimiter()
        for rate in [0.0, -1, .infinity, .nan] {
            #expect(limiter.admit(sender: alice, segments: 1, rate: rate, now: t0) == .now)
            #expect(limiter.admit(sender: alice, segments: 1, rate: rate, now: t0) == .now)
        }
    }

    @Test func pruneForgetsOnlyWhatHasPassed() {
        var limiter = SenderRateLimiter()
        #expect(limiter.admit(sender: alice, segments: 5, rate: 1, now: t0) == .now) // next free t0 + 5
        limiter.block(sender: bob, until: t0 + 10)
        limiter.prune(now: t0 + 2)
        // Still-future reservations and blocks survive a prune.
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 2) == .later(t0 + 5, .senderRate))
        #expect(limiter.admit(sender: bob, segments: 1, rate: 1, now: t0 + 2) == .later(t0 + 10, .carrierBackoff))
        // Past ones are dropped without changing any answer.
        limiter.prune(now: t0 + 100)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 1, now: t0 + 100) == .now)
        #expect(limiter.admit(sender: bob, segments: 1, rate: 1, now: t0 + 100) == .now)
    }

    @Test("a number taken over from another instance goes at its steady rate, after the slots that instance reserved")
    func takenOverNumbersStartPaced() {
        var limiter = SenderRateLimiter()
        // Without a takeover a fresh number may burst: a second's allowance at once.
        #expect(limiter.admit(sender: bob, segments: 1, rate: 2, now: t0) == .now)
        #expect(limiter.admit(sender: bob, segments: 1, rate: 2, now: t0) == .now)
        // Taken over: the first text waits one interval, as if the burst were spent.
        limiter.startPaced(sender: alice, now: t0)
        #expect(limiter.admit(sender: alice, segments: 1, rate: 2, now: t0) == .later(t0 + 0.5, .senderRate))
        // With texts the former holder reserved slots for until t0 + 30: new ones come after them.
        limiter.startPaced(sender: "+16125550177", now: t0, reservedUntil: t0 + 30)
        #expect(limiter.admit(sender: "+16125550177", segments: 1, rate: 2, now: t0) == .later(t0 + 30.5, .senderRate))
        // Texts that go ahead too: which reserved slots were theirs is not known, so after all of them.
        limiter.startPaced(sender: "+16125550178", now: t0, reservedUntil: t0 + 30)
        #expect(limiter.admit(sender: "+16125550178", segments: 1, rate: 2, now: t0, ahead: true) == .later(t0 + 30.5, .senderRate))
    }
}

