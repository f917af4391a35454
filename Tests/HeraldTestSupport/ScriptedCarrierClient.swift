import Foundation
import HeraldCarrier
import HeraldCore
import Synchronization

/// A carrier twin for unit tests: answers from a script and remembers what it was sent.
public final class ScriptedCarrierClient: CarrierClient {
    private let script: @Sendable (OutboundSMS) async -> CarrierOutcome
    private let recorded = Mutex<[OutboundSMS]>([])
    /// The sids the script accepted, with what was posted: what lookups and searches answer from.
    private let accepted = Mutex<[String: OutboundSMS]>([:])

    /// The script may be synchronous, or suspend to simulate carrier latency.
    public init(_ script: @escaping @Sendable (OutboundSMS) async -> CarrierOutcome) {
        self.script = script
    }

    /// Accepts everything, with sids `SM1`, `SM2`, … in the order calls arrive.
    public convenience init() {
        let counter = Atomic<Int>(0)
        self.init { _ in
            let n = counter.add(1, ordering: .relaxed).newValue
            return .accepted(sid: "SM\(n)", status: "queued", segments: 1)
        }
    }

    public func send(_ sms: OutboundSMS) async -> CarrierOutcome {
        recorded.withLock { $0.append(sms) }
        let outcome = await script(sms)
        if case let .accepted(sid, _, _) = outcome { accepted.withLock { $0[sid] = sms } }
        return outcome
    }

    /// The script may suspend, so its answer comes from a task of its own.
    public func send(_ sms: OutboundSMS, then finished: @escaping @Sendable (CarrierOutcome) -> Void) {
        Task { finished(await send(sms)) }
    }

    /// A message the script accepted is `sent`; any other sid is unknown.
    public func lookUp(sid: String) async -> CarrierLookup {
        accepted.withLock { $0[sid] } == nil ? .notFound : .found(status: "sent", errorCode: nil, segments: nil)
    }

    /// Found when the script accepted a post with the same numbers and body.
    public func find(_ sms: OutboundSMS, postedSince: Date) async -> CarrierSearch {
        let all = accepted.withLock { $0 }
        guard let match = all.first(where: { $0.value.to == sms.to && $0.value.from == sms.from && $0.value.body == sms.body }) else {
            return .notFound(searched: all.count)
        }
        return .found(sid: match.key, status: "sent", segments: nil)
    }

    /// Every message sent so far, in the order `send` was called.
    public var calls: [OutboundSMS] { recorded.withLock { $0 } }
    public var callCount: Int { recorded.withLock { $0.count } }
}
