import Foundation

/// Which instance sends from which number, when several heraldd share one queue (docs/instances.md).
/// A sender's rate cap can hold only if one process paces it, so each number is leased to one
/// instance at a time: a lease row with an expiry, renewed while its holder lives. The store
/// keeps the rows and the instances' heartbeats; this rule says what one instance should do with
/// them now, so that every instance, deciding alone from the same rows, arrives at the same spread.
///
/// The spread is rendezvous hashing: a number's preferred holder is the live instance with the
/// highest weight for (instance, number). It is fair (each of n instances prefers about 1/n of the
/// numbers) and stable (an instance joining or leaving moves only the numbers it gains or held).
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
        let live = live.union([instance]).sorted()
        var plan = Plan()
        for number in numbers.sorted() {
            let preferred = preferredHolder(of: number, among: live)
            let lease = leases[number].flatMap { $0.expiresAt > now ? $0 : nil }
            switch lease?.holder {
            case instance?:
                // Kept until the preferred holder is there to take it: a number is never left
                // without a sender longer than one turn.
                if preferred == instance || !live.contains(preferred) { plan.renew.append(number) } else { plan.release.append(number) }
            case nil:
                if preferred == instance { plan.take.append(number) }
            case let holder?:
                // Held by another instance, live or not yet expired: its to renew or release.
                _ = holder
            }
        }
        return plan
    }

    /// The live instance that should send from `number`.
    public static func preferredHolder(of number: String, among live: [String]) -> String {
        var best = live[0]
        var bestWeight: UInt64 = 0
        for candidate in live {
            let weight = weight(candidate, number)
            if weight > bestWeight || (weight == bestWeight && candidate < best) {
                best = candidate
                bestWeight = weight
            }
        }
        return best
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
