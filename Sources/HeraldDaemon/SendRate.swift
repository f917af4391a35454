/// Messages the carrier accepted per second over the last minute: one bucket per second, so the
/// rate costs the same at 1 message a second or 5,000, and no timer has to sample it.
struct SendRate: Sendable {
    static let window = 60

    /// Indexed by second modulo `window`; a bucket whose `second` is older than the window is stale.
    private var buckets = [(second: Int64, count: Int)](repeating: (-1, 0), count: SendRate.window)
    private let firstSecond: Int64

    init(startingAt second: Int64) {
        firstSecond = second
    }

    mutating func add(_ count: Int, at second: Int64) {
        let index = Int(second % Int64(Self.window))
        if buckets[index].second == second {
            buckets[index].count += count
        } else {
            buckets[index] = (second, count)
        }
    }

    /// The average over the last minute, or over the time since start when that is shorter (so the
    /// first seconds after a restart do not read as a slump).
    func perSecond(at second: Int64) -> Double {
        let oldest = second - Int64(Self.window) + 1
        let total = buckets.reduce(0) { sum, bucket in
            bucket.second >= oldest && bucket.second <= second ? sum + bucket.count : sum
        }
        let span = min(Int64(Self.window), max(1, second - firstSecond + 1))
        return Double(total) / Double(span)
    }
}
