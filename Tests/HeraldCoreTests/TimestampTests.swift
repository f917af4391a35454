import Foundation
import Testing

import HeraldCore

@Suite("Timestamp")
struct TimestampTests {
    /// 2026-11-23T14:00:00Z
    static let instant = Date(timeIntervalSince1970: 1_795_442_400)

    private func parsed(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Date {
        try #require(Timestamp.parse(text), "\"\(text)\" should parse", sourceLocation: sourceLocation)
    }

    @Test("ISO 8601 with Z or an offset", arguments: [
        "2026-11-23T14:00:00Z", "2026-11-23T08:00:00-06:00", "2026-11-23T15:00:00+01:00", "2026-11-23T14:00:00+00:00",
        "2026-11-24T03:00:00+13:00",
    ])
    func iso(text: String) throws {
        #expect(try parsed(text) == Self.instant)
    }

    @Test("fractional seconds", arguments: [
        ("2026-11-23T14:00:00.123Z", 0.123), ("2026-11-23T14:00:00.5Z", 0.5), ("2026-11-23T09:00:00.250-05:00", 0.25),
        ("2026-11-23 14:00:00.750", 0.75),
    ])
    func fractional(text: String, fraction: Double) throws {
        #expect(abs(try parsed(text).timeIntervalSince(Self.instant) - fraction) < 1e-6)
    }

    @Test("SQLite's YYYY-MM-DD HH:MM:SS is UTC", arguments: ["2026-11-23 14:00:00", "2026-11-23 14:00:00Z"])
    func sqliteStyle(text: String) throws {
        #expect(try parsed(text) == Self.instant)
    }

    @Test("Unix seconds", arguments: [("1795442400", 0.0), ("1795442400.5", 0.5), ("0", -1_795_442_400.0)])
    func unixSeconds(text: String, offset: TimeInterval) throws {
        #expect(try parsed(text) == Self.instant + offset)
    }

    @Test("garbage is nil", arguments: [
        "", "tomorrow", "now", "14:00", "2026-11-23T14:00:00Q", "2026-13-01T00:00:00Z", "2026-11-23T25:00:00Z",
        "23/11/2026 14:00", "nan", "inf", "-infinity", "1e400", "-5", "2026-11-23 14:00:00 CST", "17954424OO",
        // Out-of-range fields are typos, not times to roll over into the next day or month.
        "2026-11-23T24:00:00Z", "2026-11-23T14:60:00Z", "2026-11-23T14:00:60Z", "2026-02-29T10:00:00Z",
        "2026-02-30 10:00:00", "2026-04-31T10:00:00+02:00", "2100-02-29T00:00:00Z", "2026-11-23T1a:00:00Z",
    ])
    func garbage(text: String) {
        #expect(Timestamp.parse(text) == nil, "\"\(text)\" parsed as \(String(describing: Timestamp.parse(text)))")
    }

    @Test("every real calendar day parses", arguments: ["2028-02-29T10:00:00Z", "2000-02-29 00:00:00", "2026-12-31T23:59:59-12:00", "2026-04-30T00:00:00Z"])
    func realDays(text: String) throws {
        _ = try parsed(text)
    }

    @Test func formatIsISOWithMillisecondsAndZ() {
        #expect(Timestamp.format(Self.instant) == "2026-11-23T14:00:00.000Z")
        #expect(Timestamp.format(Self.instant + 0.123) == "2026-11-23T14:00:00.123Z")
        #expect(Timestamp.format(Self.instant + 0.9996) == "2026-11-23T14:00:01.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -1.5)) == "1969-12-31T23:59:58.500Z")
    }

    @Test("format round-trips through parse", arguments: [0, 1, 999, 1_795_442_400_123, 1_800_000_000_000, 4_102_444_799_999] as [Int64])
    func roundTrip(millis: Int64) throws {
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        let text = Timestamp.format(date)
        let back = try parsed(text)
        #expect(Int64((back.timeIntervalSince1970 * 1000).rounded()) == millis, "\(text)")
        #expect(Timestamp.format(back) == text)
    }

    @Test("the arithmetic fast path agrees with Foundation's ISO 8601 parser, second for second, from year 0001 to 9999 (Julian before 1600)")
    func fastPathAgreesWithFoundation() throws {
        var generator = SystemRandomNumberGenerator()
        var instants: [Int64] = [-62_135_596_800, -11_676_096_000, -11_676_096_001, 0, 951_782_400, 4_107_542_399, 253_402_300_799]
        for _ in 0..<3_000 { instants.append(Int64.random(in: -62_135_596_800...253_402_300_799, using: &generator)) }
        for seconds in instants {
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let zulu = date.formatted(.iso8601)                       // 2026-11-23T14:00:00Z
            let sqlite = zulu.dropLast().replacingOccurrences(of: "T", with: " ")
            let foundation = try #require(try? Date(zulu, strategy: .iso8601))
            #expect(Timestamp.parse(zulu) == foundation, "\(zulu)")
            #expect(Timestamp.parse(sqlite) == foundation, "\(sqlite)")
        }
    }
}
