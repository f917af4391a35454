import Foundation
@testable import HeraldDaemon
import HeraldCore
import Testing

/// The numbers behind STATUS= and the rollups.
@Suite("Queue status and rollups")
struct QueueStatusTests {
    @Test("The send rate averages the last minute, and only the time since start before that")
    func sendRate() {
        var rate = SendRate(startingAt: 100)
        #expect(rate.perSecond(at: 100) == 0)
        rate.add(50, at: 100)
        rate.add(50, at: 101)
        #expect(rate.perSecond(at: 101) == 50)
        #expect(rate.perSecond(at: 109) == 10)
        // Past a minute, the window slides: the first two seconds drop out one by one.
        rate.add(60, at: 150)
        #expect(rate.perSecond(at: 159) == 160.0 / 60)
        #expect(rate.perSecond(at: 160) == 110.0 / 60)
        #expect(rate.perSecond(at: 161) == 60.0 / 60)
        // Second 210 reuses the bucket of second 150, which starts again from zero.
        rate.add(5, at: 210)
        #expect(rate.perSecond(at: 210) == 5.0 / 60)
        #expect(rate.perSecond(at: 300) == 0)
    }

    @Test("The STATUS line names each waiting state and the rate")
    func statusLine() {
        let status = QueueStatus(depth: [.queued: 120, .scheduled: 5400, .sending: 64, .sent: 9], sendRate: 811.6)
        #expect(status.line == "queued 120, scheduled 5400, awaiting consent 0, sending 64, sent/s 812 (1m)")
        #expect(QueueStatus(depth: [:], sendRate: 0.44).line.hasSuffix("sent/s 0.4 (1m)"))
        #expect(QueueStatus.format(rate: 9.96) == "10.0")
        #expect(QueueStatus.format(rate: 0) == "0.0")
    }

    @Test("A rollup names the non-zero counts in catalogue order, with thousands grouped")
    func rollupText() {
        var earlier = ActivityTally()
        earlier.add(10, .sent)
        var now = earlier
        now.add(4812, .sent)
        now.add(5000, .queued)
        now.add(3, .failed)
        now.add(2, .throttled)
        let interval = now.since(earlier)
        #expect(interval.summary(seconds: 10) == "in the last 10 s: 5,000 queued, 4,812 sent, 3 failed, 2 throttled")
        #expect(interval.metadata == ["queued": 5000, "sent": 4812, "failed": 3, "throttled": 2])
        #expect(interval.hasLosses)
        #expect(now.since(now).isEmpty)
        #expect(ActivityTally.grouped(1_234_567) == "1,234,567")
        #expect(ActivityTally.grouped(999) == "999")
        #expect(ActivityTally.grouped(1000) == "1,000")
    }

    @Test("Counters add batches, and only sent messages move the rate")
    func counters() {
        let counters = ActivityCounters()
        var batch = ActivityTally()
        batch.add(30, .sent)
        batch.add(2, .retried)
        counters.add(batch)
        counters.add(1, .delivered)
        #expect(counters.tally()[.sent] == 30)
        #expect(counters.tally()[.retried] == 2)
        #expect(counters.tally()[.delivered] == 1)
        #expect(counters.sendRate() == 30)
    }
}
