import HeraldCarrier
import HeraldCore
import Synchronization

/// A carrier twin for unit tests: answers from a script and remembers what it was sent.
public final class ScriptedCarrierClient: CarrierClient {
    private let script: @Sendable (OutboundSMS) async -> CarrierOutcome
    private let recorded = Mutex<[OutboundSMS]>([])

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
        return await script(sms)
    }

    /// Every message sent so far, in the order `send` was called.
    public var calls: [OutboundSMS] { recorded.withLock { $0 } }
    public var callCount: Int { recorded.withLock { $0.count } }
}
