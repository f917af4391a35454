import Foundation

/// Which instance sends from which number, when several heraldd share one queue (docs/instances.md).
/// A sender's rate cap can hold only if one process paces it, so each number is leased to one
/// instance at a time: a lease row with an expiry, renewed while its holder lives. The store
/// keeps the rows and the instances' heartbeats; this rule says what one instance should do with
/// them now, so that every instance, deciding alone from the same rows, arrives at the same spread.
///
/// The spread is rendezvous hashing with a bounded load: the instances' shares differ by one at
/// most (with ten senders, plain rendezvous hashing gave three instances 6, 3 and 1). A holder
/// keeps the numbers it holds, up to its share; every other number goes to the live instance with
/// the highest weight for (instance, number) that still has room. So an instance joining takes
/// only the numbers the others hold beyond their new share, and one leaving moves only the
/// numbers it held.
public enum SenderLeaseRule {
    /// The lease on the work one instance does for all (reconciliation, retention, consent
    /// expiry, reply forwarding): planned beside the numbers, so it is spread and taken over alike.
    public static let sharedWork = "shared_work"

    /// What an instance does with the leases now.
    public struct Plan: Sendable, Equatable {
        /// Numbers free or expired that this instance should lease.
        public var take: [String]
        /// Numbers it holds and keeps: their expiry is pushed back.
        public var renew: [String]
        /// Numbers it holds that another live instance prefers: handed back at once, so that one
        /// may take them at its next turn.
        public var release: [String]

        public init(take: [String] = [], renew: [String] = [], release: [String] = []) {
            self.take = take
            self.renew = renew
            self.release = release
        }
    }

    /// - Parameters:
    ///   - instance: the deciding instance; counted live whatever `live` says.
    ///   - numbers: every active sender number.
    ///   - leases: the lease rows: number → (holder, expiry).
    ///   - live: instances whose heartbeat has not expired.
    public static func plan(
        instance: String, numbers: [String], leases: [String: SenderLease], live: Set<String>, now: Date
    ) -> Plan {
        let assigned = assignment(numbers: numbers, leases: leases, live: live.union([instance]), now: now)
        var plan = Plan()
        for number in numbers.sorted() {
            let lease = leases[number].flatMap { $0.expiresAt > now ? $0 : nil }
            switch lease?.holder {
            case instance?:
                // Released only to a live instance, which takes it at its next turn: a number is
                // never without a sender for longer than that.
                if assigned[number] == instance { plan.renew.append(number) } else { plan.release.append(number) }
            case nil:
                if assigned[number] == instance { plan.take.append(number) }
            case .some:
                // Held by another instance, live or not yet expired: its to renew or release.
                break
            }
        }
        return plan
    }

    /// Which live instance should send from each number, given who holds what now.
    public static func assignment(numbers: [String], leases: [String: SenderLease], live: Set<String>, now: Date) -> [String: String] {
        let instances = live.sorted()
        guard !instances.isEmpty else { return [:] }
        // Shares differ by one at most: `share` each, and `extra` of them one more.
        let share = numbers.count / instances.count
        var extra = numbers.count % instances.count
        var assigned: [String: String] = [:]
        var load: [String: Int] = [:]
        func hasRoom(_ instance: String) -> Bool {
            let count = load[instance, default: 0]
            return count < share || (count == share && extra > 0)
        }
        func give(_ number: String, to instance: String) {
            if load[instance, default: 0] == share { extra -= 1 }
            assigned[number] = instance
            load[instance, default: 0] += 1
        }
        // Holders keep what they hold, their highest-weighted numbers first, up to their share.
        var held: [String: [String]] = [:]
        for number in numbers {
            if let lease = leases[number], lease.expiresAt > now, live.contains(lease.holder) { held[lease.holder, default: []].append(number) }
        }
        for holder in held.keys.sorted() {
            for number in held[holder]!.sorted(by: { ranks(holder, $0, above: holder, $1) }) where hasRoom(holder) {
                give(number, to: holder)
            }
        }
        // Every other number: the highest-weighted live instance with room.
        for number in numbers.sorted() where assigned[number] == nil {
            let ranked = instances.sorted { ranks($0, number, above: $1, number) }
            give(number, to: ranked.first(where: hasRoom) ?? ranked[0])
        }
        return assigned
    }

    /// Whether (a, x) weighs more than (b, y); ties go to the smaller instance, then number.
    private static func ranks(_ a: String, _ x: String, above b: String, _ y: String) -> Bool {
        let (left, right) = (weight(a, x), weight(b, y))
        return left != right ? left > right : (a, x) < (b, y)
    }

    /// FNV-1a over "instance␟number", then a 64-bit finalizer for spread: the same on every
    /// machine and every run, unlike Swift's seeded `Hasher`.
    public static func weight(_ instance: String, _ number: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in instance.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ 0x1f) &* 0x100_0000_01b3
        for byte in number.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return hash
    }
}

/// One sender number's lease: who holds it, until when.
public struct SenderLease: Sendable, Equatable {
    public var holder: String
    public var expiresAt: Date

    public init(holder: String, expiresAt: Date) {
        self.holder = holder
        self.expiresAt = expiresAt
    }
}
