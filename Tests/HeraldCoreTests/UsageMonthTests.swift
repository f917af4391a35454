import Foundation
import Testing

import HeraldCore

@Suite("UsageMonth")
struct UsageMonthTests {
    private func instant(_ zone: String, _ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int) throws -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: zone))
        return try #require(calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute)))
    }

    @Test func lateOctoberEveningInChicagoIsOctober() throws {
        let chicago = try #require(TimeZone(identifier: "America/Chicago"))
        let date = try instant("America/Chicago", 2026, 10, 31, 23, 30)
        // 04:30 UTC on 1 November.
        #expect(date == Date(timeIntervalSince1970: 1_793_507_400))
        #expect(UsageMonth(timeZone: chicago).key(for: date) == "2026-10")
        #expect(UsageMonth(timeZone: TimeZone(identifier: "UTC")!).key(for: date) == "2026-11")
    }

    @Test func midnightStartsTheNextMonth() throws {
        let chicago = UsageMonth(timeZone: try #require(TimeZone(identifier: "America/Chicago")))
        #expect(chicago.key(for: try instant("America/Chicago", 2026, 11, 1, 0, 0)) == "2026-11")
        #expect(chicago.key(for: try instant("America/Chicago", 2026, 10, 31, 23, 59)) == "2026-10")
    }

    @Test func yearBoundary() throws {
        let date = try instant("America/Los_Angeles", 2026, 12, 31, 22, 0)
        #expect(UsageMonth(timeZone: try #require(TimeZone(identifier: "America/Los_Angeles"))).key(for: date) == "2026-12")
        #expect(UsageMonth(timeZone: try #require(TimeZone(identifier: "UTC"))).key(for: date) == "2027-01")
    }

    @Test func zonesAheadOfUTC() throws {
        // 22:00 UTC on 31 October is already November in Tokyo.
        let date = try instant("UTC", 2026, 10, 31, 22, 0)
        #expect(UsageMonth(timeZone: try #require(TimeZone(identifier: "Asia/Tokyo"))).key(for: date) == "2026-11")
    }

    @Test("months are zero-padded", arguments: Array(1...12))
    func padded(month: Int) throws {
        let key = UsageMonth(timeZone: try #require(TimeZone(identifier: "UTC"))).key(for: try instant("UTC", 2027, month, 15, 12, 0))
        #expect(key == String(format: "2027-%02d", month))
    }
}
