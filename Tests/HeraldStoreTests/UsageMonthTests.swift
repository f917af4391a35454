import Foundation
@testable import HeraldStore
import HeraldCore
import Testing

/// The store works out which month usage counts in from the organization's own row, so an org
/// made or changed with heraldctl counts in its own timezone's month at once.
@Suite("Store: usage months follow the organization's timezone")
struct UsageMonthTests {
    /// SQLite only: asks SQLite's `Usage.month` directly; both backends share its calendar (`Usage.month(zone:at:)`).
    @Test("unknown orgs count in Chicago; an org counts in its timezone, and in its new one once changed")
    func followsTimezone() async throws {
        let fixture = try await StoreFixture(seed: false)
        let instant: Int64 = 1_796_040_000_000 // 2026-11-30T12:00:00Z
        func month() throws -> String { try fixture.sqlite.pool.read { db in try Usage.month(org: "kiri", at: instant, in: db) } }
        #expect(try month() == "2026-11", "unknown orgs count in America/Chicago")
        try await fixture.db.upsert(organizations: [OrganizationRecord(
            id: "kiri", name: "Kiri", timeZone: "Pacific/Kiritimati", windowStart: "08:00", windowEnd: "16:00", windowDays: nil, senders: []
        )], now: fixture.now)
        #expect(try month() == "2026-12", "already December at UTC+14")
        try await fixture.db.upsert(organizations: [OrganizationRecord(
            id: "kiri", name: "Kiri", timeZone: "America/Los_Angeles", windowStart: "08:00", windowEnd: "16:00", windowDays: nil, senders: []
        )], now: fixture.now)
        #expect(try month() == "2026-11")
    }
}
