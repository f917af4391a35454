import Foundation
import Synchronization

/// The UTC offsets of one IANA zone as a table of transitions, so that going between an instant
/// and local wall-clock time is a binary search and integer arithmetic: no `Calendar`, no
/// `DateFormatter`, no lock after the first use. Window evaluation runs per message at ingest
/// and at claim, so this is the hot path.
///
/// Built once per zone (cached for the life of the process) from Foundation's tz data for
/// 1970–2199; an instant outside that range gets a small table built on the spot, so answers
/// stay exact, only slower.
final class ZoneOffsets: Sendable {
    let identifier: String
    private let zone: TimeZone
    /// `starts[k]` is the first instant (Unix seconds) of segment k; segment 0 starts "forever ago".
    private let starts: [Int64]
    /// `offsets[k]` is the UTC offset in seconds of segment k.
    private let offsets: [Int64]
    /// `wallStarts[k] = starts[k] + offsets[k]`: where segment k starts on the local wall clock.
    /// Increasing, because transitions are months apart.
    private let wallStarts: [Int64]
    /// The table is exact for instants in this range.
    private let covered: Range<Int64>
    /// Bucket indexes over `starts` and `wallStarts` (buckets of 2^21 s, about 24 days, from
    /// `bucketBase`): the segment in force at each bucket's start, so a lookup is an array read
    /// and a step or two instead of a binary search.
    private let bucketBase: Int64
    private let instantBuckets: [Int32]
    private let wallBuckets: [Int32]
    private static let bucketShift: Int64 = 21
    /// Some fall-back overlap contains a local midnight (zones that change at 00:00 or 01:00), so
    /// an instant's local day can be followed by a day whose hours start earlier.
    let repeatsMidnight: Bool

    static let tableRange: Range<Int64> = 0..<7_258_118_400  // 1970-01-01 ..< 2200-01-01
    private static let farPast = Int64.min / 4

    private init(zone: TimeZone, range: Range<Int64>) {
        identifier = zone.identifier
        self.zone = zone
        var starts: [Int64] = [Self.farPast]
        var offsets: [Int64] = [Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(range.lowerBound))))]
        var cursor = Date(timeIntervalSince1970: Double(range.lowerBound))
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next.timeIntervalSince1970 < Double(range.upperBound) {
            let instant = Int64(next.timeIntervalSince1970.rounded(.down))
            let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))))
            if offset != offsets[offsets.count - 1] {
                starts.append(instant)
                offsets.append(offset)
            }
            guard next > cursor else { break }
            cursor = next
        }
        self.starts = starts
        self.offsets = offsets
        let wallStarts = zip(starts, offsets).map { $0 + $1 }
        self.wallStarts = wallStarts
        covered = range
        let base = range.lowerBound - 2 * 86_400
        let bucketCount = Int((range.upperBound + 2 * 86_400 - base) >> Self.bucketShift) + 1
        bucketBase = base
        instantBuckets = Self.buckets(count: bucketCount, base: base, boundaries: starts)
        wallBuckets = Self.buckets(count: bucketCount, base: base, boundaries: wallStarts)
        var repeats = false
        for k in starts.indices.dropFirst() where offsets[k] < offsets[k - 1] {
            // Overlap on the wall clock: [starts[k] + offsets[k], starts[k] + offsets[k - 1]).
            let low = starts[k] + offsets[k]
            let high = starts[k] + offsets[k - 1]
            let nextMidnight = (Self.floorDivide(low - 1, 86_400) + 1) * 86_400
            if nextMidnight < high { repeats = true }
        }
        repeatsMidnight = repeats
    }

    /// For each bucket, the last index whose boundary is at or before the bucket's start.
    private static func buckets(count: Int, base: Int64, boundaries: [Int64]) -> [Int32] {
        var result = [Int32](repeating: 0, count: count)
        var index = 0
        for bucket in 0..<count {
            let start = base + (Int64(bucket) << bucketShift)
            while index + 1 < boundaries.count, boundaries[index + 1] <= start { index += 1 }
            result[bucket] = Int32(index)
        }
        return result
    }

    /// The last index k with `boundaries[k] <= value`.
    @inline(__always)
    private func lastIndex(in boundaries: [Int64], buckets: [Int32], atOrBefore value: Int64) -> Int {
        let bucket = (value - bucketBase) >> Self.bucketShift
        if bucket >= 0, bucket < buckets.count {
            var index = Int(buckets[Int(bucket)])
            while index + 1 < boundaries.count, boundaries[index + 1] <= value { index += 1 }
            return index
        }
        var low = 0
        var high = boundaries.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if boundaries[middle] <= value { low = middle } else { high = middle - 1 }
        }
        return low
    }

    private static let cache = Mutex<[String: ZoneOffsets]>([:])

    /// The table for an IANA region name, or nil when it is not one (abbreviations such as "CST"
    /// are refused: fixed offsets without daylight saving are exactly the mistake a window must
    /// not make).
    static func named(_ identifier: String) -> ZoneOffsets? {
        if let known = cache.withLock({ $0[identifier] }) { return known }
        guard isRegionName(identifier), let zone = TimeZone(identifier: identifier) else { return nil }
        let built = ZoneOffsets(zone: zone, range: tableRange)
        return cache.withLock { cached in
            if let raced = cached[identifier] { return raced }
            cached[identifier] = built
            return built
        }
    }

    static func isRegionName(_ identifier: String) -> Bool {
        identifier.contains("/") || identifier == "UTC" || identifier == "GMT"
    }

    /// A table covering a few days around `instant`, for instants outside `tableRange`.
    private func local(around instant: Int64) -> ZoneOffsets {
        let margin: Int64 = 4 * 86_400
        let low = instant > Int64.min / 2 ? instant - margin : instant
        let high = instant < Int64.max / 2 ? instant + margin : instant
        return ZoneOffsets(zone: zone, range: low..<max(high, low + 1))
    }

    /// Seconds east of UTC at `instant`.
    func offset(at instant: Int64) -> Int64 {
        guard covered.contains(instant) else { return local(around: instant).offset(at: instant) }
        return offsets[lastIndex(in: starts, buckets: instantBuckets, atOrBefore: instant)]
    }

    /// The local wall clock at `instant`, as seconds since 1970-01-01T00:00 local.
    func wallClock(at instant: Int64) -> Int64 {
        instant + offset(at: instant)
    }

    /// The instant a local wall-clock reading names (docs/windows.md). A reading that occurs twice
    /// (fall-back) means its first occurrence; a reading skipped by a spring-forward means the
    /// first valid instant after it, which is the transition itself.
    func instant(atWallClock wall: Int64) -> Int64 {
        let guess = wall - offsets[0]
        guard covered.contains(guess), guess - 2 * 86_400 >= covered.lowerBound, guess + 2 * 86_400 < covered.upperBound else {
            return local(around: guess).instant(atWallClock: wall)
        }
        // Last segment whose wall-clock start is at or before the reading.
        let low = lastIndex(in: wallStarts, buckets: wallBuckets, atOrBefore: wall)
        // Still inside the previous segment: the reading is in a fall-back overlap, first occurrence.
        if low > 0, wall < starts[low] + offsets[low - 1] {
            return wall - offsets[low - 1]
        }
        // Past the end of this segment but before the next one starts: a spring-forward gap.
        if low + 1 < starts.count, wall >= starts[low + 1] + offsets[low] {
            return starts[low + 1]
        }
        return wall - offsets[low]
    }

    /// Division rounding toward minus infinity: the local day of an instant before 1970 too.
    @inline(__always)
    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
