import Foundation
@testable import HeraldDaemon
import HeraldCore
import Testing

@Suite("Usage months follow the directory")
struct UsageMonthsTests {
    @Test("an organization made or changed with heraldctl counts usage in its own timezone's month")
    func followsDirectory() {
        let months = UsageMonths()
        let instant = Date(timeIntervalSince1970: 1_796_040_000) // 2026-11-30T12:00:00Z
        #expect(months.key(org: "kiri", at: instant) == "2026-11", "unknown orgs count in America/Chicago")
        months.update(Directory(organizations: [OrganizationProfile(id: "kiri", name: "Kiri", timeZone: "Pacific/Kiritimati")], senders: []))
        #expect(months.key(org: "kiri", at: instant) == "2026-12", "already December at UTC+14")
        months.update(Directory(organizations: [OrganizationProfile(id: "kiri", name: "Kiri", timeZone: "America/Los_Angeles")], senders: []))
        #expect(months.key(org: "kiri", at: instant) == "2026-11")
    }
}
