import Foundation
import HeraldCore
import Testing

/// When a text still `sent` is looked up: after `after`, then at doubling gaps up to a cap, the
/// last lookup at the give-up age, then never again.
@Suite("Reconcile schedule")
struct ReconcileScheduleTests {
    let sent = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("the defaults: first lookup 15 minutes after sent, give up at 72 hours")
    func defaults() {
        let schedule = ReconcileSchedule.standard
        #expect(schedule.after == 900)
        #expect(schedule.giveUpAfter == 259_200)
        #expect(schedule.first(sentAt: sent) == sent + 900)
    }

    @Test("gaps double from `after`, capped at six hours, and the last lookup falls at the give-up age")
    func widening() {
        let schedule = ReconcileSchedule.standard
        var now = schedule.first(sentAt: sent)
        var gaps: [TimeInterval] = []
        var lookups = 0
        while let next = schedule.next(sentAt: sent, lookups: lookups + 1, now: now) {
            gaps.append(next.timeIntervalSince(now))
            lookups += 1
            now = next
            if lookups > 100 { Issue.record("never gave up"); return }
        }
        #expect(Array(gaps.prefix(5)) == [1800, 3600, 7200, 14400, 21600])
        #expect(gaps.dropFirst(4).dropLast().allSatisfy { $0 == 21600 }, "capped at 6 h: \(gaps)")
        #expect(now == sent + 259_200, "the last lookup is at the give-up age")
        #expect(schedule.next(sentAt: sent, lookups: lookups + 1, now: now) == nil)
    }

    @Test("past the give-up age, nothing is scheduled")
    func givesUp() {
        let schedule = ReconcileSchedule(after: 60, giveUpAfter: 600)
        #expect(schedule.next(sentAt: sent, lookups: 1, now: sent + 599) == sent + 600)
        #expect(schedule.next(sentAt: sent, lookups: 1, now: sent + 600) == nil)
        #expect(schedule.next(sentAt: sent, lookups: 3, now: sent + 60) == sent + 60 + 480)
    }
}
