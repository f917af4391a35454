/// How many due texts the dispatcher claims in a turn, and when.
///
/// A turn writes the posts' results and claims the next texts in one transaction; its body and
/// its fsync take the single writer for milliseconds, while a fast carrier answers a post in
/// well under one. Claiming only what the slots (`max_in_flight`) could post at once left them
/// empty for most of each turn, and every commit served only the few texts answered during the
/// turn before (35 at 64 in flight on the bench's nginx).
///
/// So a claim may also take up to twice as many texts as the slots answered while the last turn
/// ran (`ahead`): they wait in the carrier client for a free slot, and the posts go on while the
/// writer works. Twice, because slots that sat empty during a turn answered fewer than they
/// could have: with once, the figure settled where it started (55 texts a commit against 100
/// with twice). It follows the carrier: against a fast one the turns grow until a commit serves
/// as many texts as are answered during a turn or two; against a slow one few posts end during a
/// turn and next to nothing is claimed ahead. A claimed text therefore waits for its slot for
/// about one or two turns (milliseconds), which keeps the time between a claim's checks
/// (consent, windows, pauses) and the post short. Claimed texts are durably `sending` before
/// their posts either way.
public struct ClaimSizing: Sendable, Equatable {
    public let maxInFlight: Int
    public let batchSize: Int
    /// Texts that may wait claimed for a slot, beyond `maxInFlight`.
    public private(set) var ahead = 0

    public init(maxInFlight: Int, batchSize: Int) {
        self.maxInFlight = max(maxInFlight, 1)
        self.batchSize = max(batchSize, 1)
    }

    /// At most this many wait for a slot, however fast the carrier: three rounds of the slots.
    /// Claiming more brought no measurable gain on the bench (docs/benchmarks.md).
    public var mostAhead: Int { min(batchSize, 3 * maxInFlight) }

    /// How many to claim with `outstanding` texts claimed and not yet answered: none until a
    /// chunk's worth of room is free, so that each claim transaction carries its weight.
    public func limit(outstanding: Int) -> Int {
        let free = maxInFlight + ahead - outstanding
        return free >= min(batchSize, maxInFlight) / 4 + 1 ? min(batchSize, free) : 0
    }

    /// After a turn's transaction: `answered` posts ended while it ran. The figure grows at once
    /// and shrinks by half a turn at most, so one short turn does not empty the slots of a busy
    /// dispatcher, and a carrier that slows down is soon claimed for at its own pace.
    public mutating func turnEnded(answered: Int) {
        ahead = min(max(2 * answered, ahead / 2), mostAhead)
    }
}
