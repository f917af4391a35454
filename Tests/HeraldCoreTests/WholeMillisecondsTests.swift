import HeraldCore
import Testing

@Suite("Core: durations in whole units")
struct WholeMillisecondsTests {
    @Test("whole milliseconds and microseconds round toward zero")
    func wholeUnits() {
        #expect(Duration.seconds(3_600).wholeMilliseconds == 3_600_000)
        #expect(Duration.milliseconds(1_500).wholeMilliseconds == 1_500)
        #expect(Duration.microseconds(2_999).wholeMilliseconds == 2)
        #expect(Duration.microseconds(2_999).wholeMicroseconds == 2_999)
        #expect(Duration.nanoseconds(999).wholeMicroseconds == 0)
        #expect(Duration.seconds(2).wholeMicroseconds == 2_000_000)
        #expect(Duration.milliseconds(1_500).wholeNanoseconds == 1_500_000_000)
        #expect(Duration.nanoseconds(999).wholeNanoseconds == 999)
    }
}
