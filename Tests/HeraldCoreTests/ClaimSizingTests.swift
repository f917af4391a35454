import HeraldCore
import Testing

@Suite("Core: claim sizing")
struct ClaimSizingTests {
    @Test("with nothing answered during turns, a claim fills the slots and no more")
    func slotsOnly() {
        let sizing = ClaimSizing(maxInFlight: 64, batchSize: 256)
        #expect(sizing.limit(outstanding: 0) == 64)
        #expect(sizing.limit(outstanding: 40) == 24)
        // Fewer than a quarter of the slots free: wait for more room.
        #expect(sizing.limit(outstanding: 48) == 0)
        #expect(sizing.limit(outstanding: 64) == 0)
    }

    @Test("posts answered during a turn may be claimed ahead, within the batch and three rounds of slots")
    func ahead() {
        var sizing = ClaimSizing(maxInFlight: 64, batchSize: 256)
        sizing.turnEnded(answered: 50)
        #expect(sizing.ahead == 100, "twice what was answered")
        #expect(sizing.limit(outstanding: 64) == 100)
        #expect(sizing.limit(outstanding: 0) == 164)
        sizing.turnEnded(answered: 1_000)
        #expect(sizing.ahead == 192)
        #expect(sizing.limit(outstanding: 0) == 256)

        var small = ClaimSizing(maxInFlight: 64, batchSize: 50)
        small.turnEnded(answered: 1_000)
        #expect(small.ahead == 50)
        #expect(small.limit(outstanding: 0) == 50, "a claim never takes more than batch_size")
    }

    @Test("a slow carrier is soon claimed for at its own pace")
    func slowCarrier() {
        var sizing = ClaimSizing(maxInFlight: 64, batchSize: 256)
        sizing.turnEnded(answered: 96)
        #expect(sizing.ahead == 192)
        var turns = 0
        while sizing.ahead > 0 {
            sizing.turnEnded(answered: 0)
            turns += 1
            #expect(turns <= 8, "ahead still \(sizing.ahead) after \(turns) turns without answers")
            if turns > 8 { break }
        }
        #expect(sizing.limit(outstanding: 64) == 0)
        // One short turn among busy ones keeps half.
        sizing.turnEnded(answered: 60)
        sizing.turnEnded(answered: 10)
        #expect(sizing.ahead == 60)
    }

    @Test("settings below one are taken as one")
    func degenerate() {
        let sizing = ClaimSizing(maxInFlight: 0, batchSize: 0)
        #expect(sizing.limit(outstanding: 0) == 1)
        #expect(sizing.limit(outstanding: 1) == 0)
    }
}
