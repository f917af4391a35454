import Foundation
import HeraldCore
import Testing

@Suite("Sender leases across instances")
struct SenderLeaseRuleTests {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)
    private let numbers = (0..<60).map { "+1612555\(String(format: "%04d", $0))" }

    /// Every instance decides alone from the same rows, turn after turn, as the store would apply
    /// them; returns the leases once nothing changes.
    private func settle(_ instances: [String], from start: [String: SenderLease] = [:], turns: Int = 5) -> [String: SenderLease] {
        var leases = start
        for _ in 0..<turns {
            for instance in instances {
                let plan = SenderLeaseRule.plan(instance: instance, numbers: numbers, leases: leases, live: Set(instances), now: now)
                for number in plan.release { leases[number] = nil }
                for number in plan.take + plan.renew { leases[number] = SenderLease(holder: instance, expiresAt: now + 30) }
            }
        }
        return leases
    }

    @Test("three instances split sixty numbers fairly, each number held by exactly one")
    func fairSpread() {
        let leases = settle(["a", "b", "c"])
        #expect(Set(leases.keys) == Set(numbers), "every number has a holder")
        let counts = Dictionary(grouping: leases.values, by: \.holder).mapValues(\.count)
        #expect(counts.values.sorted() == [20, 20, 20], "\(counts)")
    }

    @Test("ten senders over three instances: 4, 3 and 3, never 6, 3 and 1", arguments: [["a", "b", "c"], ["n1", "n2", "n3"], ["i1", "i2", "i3"]])
    func fairSpreadOfFew(instances: [String]) {
        let ten = Array(numbers.prefix(10))
        var leases: [String: SenderLease] = [:]
        for _ in 0..<5 {
            for instance in instances {
                let plan = SenderLeaseRule.plan(instance: instance, numbers: ten, leases: leases, live: Set(instances), now: now)
                for number in plan.release { leases[number] = nil }
                for number in plan.take + plan.renew { leases[number] = SenderLease(holder: instance, expiresAt: now + 30) }
            }
        }
        #expect(Dictionary(grouping: leases.values, by: \.holder).mapValues(\.count).values.sorted() == [3, 3, 4])
    }

    @Test("a live holder's lease is never taken by another; an expired one is")
    func respectLiveLeases() {
        let held = [numbers[0]: SenderLease(holder: "a", expiresAt: now + 10)]
        for instance in ["b", "c"] {
            let plan = SenderLeaseRule.plan(instance: instance, numbers: numbers, leases: held, live: ["a", "b", "c"], now: now)
            #expect(!plan.take.contains(numbers[0]))
        }
        let expired = [numbers[0]: SenderLease(holder: "a", expiresAt: now)]
        let preferred = SenderLeaseRule.assignment(numbers: numbers, leases: expired, live: ["b", "c"], now: now)[numbers[0]]!
        let plan = SenderLeaseRule.plan(instance: preferred, numbers: numbers, leases: expired, live: ["b", "c"], now: now)
        #expect(plan.take.contains(numbers[0]), "a dead instance's numbers go to the survivors once its leases expire")
    }

    @Test("a killed instance's numbers move to the survivors, and only those move")
    func takeover() {
        let before = settle(["a", "b", "c"])
        // c stops renewing; once its leases expire the others take them over.
        let expiredC = before.mapValues { $0.holder == "c" ? SenderLease(holder: "c", expiresAt: now - 1) : $0 }
        let after = settle(["a", "b"], from: expiredC)
        #expect(Set(after.keys) == Set(numbers))
        #expect(after.values.allSatisfy { $0.holder != "c" })
        for (number, lease) in before where lease.holder != "c" {
            #expect(after[number]?.holder == lease.holder, "\(number) moved from a survivor")
        }
    }

    @Test("a joining instance gets its share; the others hand those numbers back, keeping theirs")
    func joining() {
        let before = settle(["a", "b"])
        let after = settle(["a", "b", "c"], from: before)
        let counts = Dictionary(grouping: after.values, by: \.holder).mapValues(\.count)
        #expect(counts["c"] == 20, "\(counts)")
        for (number, lease) in after where lease.holder != "c" {
            #expect(before[number]?.holder == lease.holder, "\(number) moved between old instances")
        }
    }

    @Test("an instance alone holds every number, even one its dead peer would be preferred for")
    func alone() {
        let plan = SenderLeaseRule.plan(instance: "a", numbers: numbers, leases: [:], live: [], now: now)
        #expect(plan.take == numbers.sorted())
    }

    @Test("the weights are the same on every machine, run and version: instances of a rolling upgrade must agree")
    func stableWeights() {
        #expect(SenderLeaseRule.weight("a", "+16125550000") == 4743484961578223215)
        #expect(SenderLeaseRule.weight("a", "+16125550000") != SenderLeaseRule.weight("b", "+16125550000"))
        #expect(SenderLeaseRule.assignment(numbers: numbers, leases: [:], live: ["host-1", "host-2", "host-3"], now: now)
            == SenderLeaseRule.assignment(numbers: numbers.reversed(), leases: [:], live: ["host-3", "host-1", "host-2"], now: now))
    }
}
