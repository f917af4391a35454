import Synchronization

/// How many messages went through each per-message event: since start, or between two readings.
public struct ActivityTally: Sendable, Equatable {
    public private(set) var counts: [HeraldEvent: Int] = [:]

    public init() {}

    public subscript(event: HeraldEvent) -> Int {
        counts[event] ?? 0
    }

    mutating func add(_ count: Int, _ event: HeraldEvent) {
        guard count != 0 else { return }
        counts[event, default: 0] += count
    }

    public var isEmpty: Bool { counts.values.allSatisfy { $0 == 0 } }

    /// What happened between `earlier` and this reading.
    public func since(_ earlier: ActivityTally) -> ActivityTally {
        var difference = ActivityTally()
        for (event, count) in counts { difference.add(count - earlier[event], event) }
        return difference
    }
}

/// What the daemon did to messages since it started, counted once each transition is committed.
/// The info-level rollups, the STATUS= send rate and the admin socket's status all read it, so the
/// per-message lines can stay at debug.
public final class ActivityCounters: Sendable {
    private struct State {
        var tally = ActivityTally()
        var rate: SendRate
    }

    private let state: Mutex<State>
    private let started = ContinuousClock.now

    public init() {
        state = Mutex(State(rate: SendRate(startingAt: 0)))
    }

    func add(_ count: Int, _ event: HeraldEvent) {
        var tally = ActivityTally()
        tally.add(count, event)
        add(tally)
    }

    /// Adds a batch's counts under one lock.
    func add(_ batch: ActivityTally) {
        guard !batch.isEmpty else { return }
        let second = secondsSinceStart()
        state.withLock { state in
            for (event, count) in batch.counts { state.tally.add(count, event) }
            if batch[.sent] > 0 { state.rate.add(batch[.sent], at: second) }
        }
    }

    public func tally() -> ActivityTally {
        state.withLock { $0.tally }
    }

    /// Messages the carrier accepted per second, averaged over the last minute.
    public func sendRate() -> Double {
        let second = secondsSinceStart()
        return state.withLock { $0.rate.perSecond(at: second) }
    }

    private func secondsSinceStart() -> Int64 {
        (ContinuousClock.now - started).components.seconds
    }
}

extension ActivityTally {
    /// `in the last 10 s: 5,000 queued, 4,812 sent, 4,700 delivered, 3 failed`: non-zero counts, in
    /// the catalogue's order.
    func summary(seconds: Int) -> String {
        let parts = HeraldEvent.allCases.compactMap { event in
            self[event] == 0 ? nil : "\(Self.grouped(self[event])) \(event.rawValue.replacingOccurrences(of: "_", with: " "))"
        }
        return "in the last \(seconds) s: " + parts.joined(separator: ", ")
    }

    /// The same counts as metadata (`sent=4812`), for queries on the rollup lines.
    var metadata: [String: Int] {
        Dictionary(uniqueKeysWithValues: counts.filter { $0.value != 0 }.map { ($0.key.rawValue, $0.value) })
    }

    /// Rollups that carry a message Herald gave up on are notices: worth a look, not an alarm.
    var hasLosses: Bool {
        [HeraldEvent.rejected, .undelivered, .failed, .expired, .optedOut].contains { self[$0] > 0 }
    }

    static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return number < 0 ? "-" + result : result
    }
}
