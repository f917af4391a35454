import Foundation
import HeraldCore
import Testing

@testable import HeraldConfig

@Suite("Defaults and values")
struct DefaultsTests {
    @Test("absent keys take the documented defaults")
    func defaultsApply() throws {
        let configuration = try parse(minimalTOML)
        #expect(configuration.database.path == "/var/lib/herald/herald.db")
        #expect(configuration.admin.socket == "/run/herald/admin.sock")
        #expect(configuration.webhooks == .init(listenHost: "127.0.0.1", listenPort: 8088, publicURL: "http://127.0.0.1:8088"))
        #expect(configuration.carrier == .init(
            baseURL: "https://api.twilio.com", accountSID: "ACtest", tokenSource: .credential(name: "carrier-token"),
            connectTimeout: 5, requestTimeout: 15, maxInFlight: 64, segmentation: .carrier
        ))
        #expect(configuration.retry == .init(minBackoff: 5, maxBackoff: 3600, maxAttempts: 10, jitter: 0.2))
        #expect(configuration.retry.retryPolicy == RetryPolicy())
        #expect(configuration.rates == .init(longCode: 1, tollFree: 3, shortCode: 100))
        #expect(configuration.dispatch == .init(batchSize: 256, idleWait: 1, shutdownGrace: 10))
        #expect(configuration.ingest.batchSize == 250)
        #expect(configuration.retention.days == 60)
        #expect(configuration.log.level == .info)
        #expect(configuration.orgs.isEmpty)
    }

    @Test("listen port 0 leaves the port to the system")
    func systemChosenPort() throws {
        let configuration = try parse(minimalTOML + "[webhooks]\nlisten = \"127.0.0.1:0\"")
        #expect(configuration.webhooks.listenHost == "127.0.0.1")
        #expect(configuration.webhooks.listenPort == 0)
    }

    @Test("an organization takes default timezone, window, days and names")
    func organizationDefaults() throws {
        let configuration = try parse(minimalTOML + """
            [[orgs]]
            id = "acme"
            [[orgs.users]]
            id = "ann"
            number = "+16125550123"
            """)
        let org = try #require(configuration.orgs.first)
        #expect(org == .init(
            id: "acme", name: "acme", timeZone: TimeZone(identifier: "America/Chicago")!,
            windowStart: TimeOfDay(hour: 8, minute: 0)!, windowEnd: TimeOfDay(hour: 16, minute: 0)!,
            days: Set(Weekday.allCases),
            users: [.init(id: "ann", name: "ann", number: "+16125550123", numberType: .longCode, rate: nil)]
        ))
        #expect(configuration.organizationProfiles == [.init(id: "acme", name: "acme", timeZone: "America/Chicago")])
        #expect(configuration.senderProfiles == [.init(orgID: "acme", userID: "ann", number: "+16125550123", rate: 1)])
    }

    @Test("integers are accepted where a number is expected")
    func integersAsNumbers() throws {
        let configuration = try parse(minimalTOML + """
            connect_timeout = 7
            [retry]
            min_backoff = 1
            max_backoff = 60
            jitter = 0
            """)
        #expect(configuration.carrier.connectTimeout == 7)
        #expect(configuration.retry.retryPolicy == RetryPolicy(minimumBackoff: 1, maximumBackoff: 60, maxAttempts: 10, jitter: 0))
    }

    @Test("every setting is read")
    func everySetting() throws {
        let configuration = try parse("""
            [database]
            path = "db/queue.db"
            [admin]
            socket = "/tmp/h.sock"
            [webhooks]
            listen = "[::1]:9000"
            public_url = "https://sms.example.com/herald"
            [carrier]
            base_url = "https://gateway.example.com"
            account_sid = "AC1"
            auth_token_file = "secrets/token"
            connect_timeout = 2.5
            request_timeout = 30
            max_in_flight = 8
            segmentation = "client"
            [retry]
            min_backoff = 2
            max_backoff = 2
            max_attempts = 1
            jitter = 1
            [rates]
            long_code = 0.5
            toll_free = 25
            short_code = 30
            [dispatch]
            batch_size = 10
            idle_wait = 0.25
            shutdown_grace = 0
            [ingest]
            batch_size = 5
            [retention]
            days = 400
            [log]
            level = "warning"
            [[orgs]]
            id = "night"
            name = "Night Shift"
            timezone = "America/Los_Angeles"
            window_start = "22:00"
            window_end = "2:30"
            days = ["Sat", "sun"]
            [[orgs.users]]
            id = "tf"
            number = "+18885550100"
            number_type = "toll_free"
            [[orgs.users]]
            id = "sc"
            number = "55501"
            number_type = "short_code"
            rate = 50
            """, baseDirectory: "/srv/herald/conf/")
        #expect(configuration.database.path == "/srv/herald/conf/db/queue.db")
        #expect(configuration.admin.socket == "/tmp/h.sock")
        #expect(configuration.webhooks == .init(listenHost: "::1", listenPort: 9000, publicURL: "https://sms.example.com/herald"))
        #expect(configuration.carrier == .init(
            baseURL: "https://gateway.example.com", accountSID: "AC1", tokenSource: .file(path: "/srv/herald/conf/secrets/token"),
            connectTimeout: 2.5, requestTimeout: 30, maxInFlight: 8, segmentation: .client
        ))
        #expect(configuration.retry == .init(minBackoff: 2, maxBackoff: 2, maxAttempts: 1, jitter: 1))
        #expect(configuration.rates == .init(longCode: 0.5, tollFree: 25, shortCode: 30))
        #expect(configuration.dispatch == .init(batchSize: 10, idleWait: 0.25, shutdownGrace: 0))
        #expect(configuration.ingest.batchSize == 5)
        #expect(configuration.retention.days == 400)
        #expect(configuration.log.level == .warning)
        let org = try #require(configuration.orgs.first)
        #expect(org.windowStart == TimeOfDay(hour: 22, minute: 0))
        #expect(org.windowEnd == TimeOfDay(hour: 2, minute: 30))
        #expect(org.days == [.sat, .sun])
        #expect(org.timeZone.identifier == "America/Los_Angeles")
        #expect(configuration.senderProfiles.map(\.rate) == [25, 50])
    }

    @Test("${NAME} in a path expands from the environment")
    func environmentExpansion() throws {
        let configuration = try parse("""
            [database]
            path = "${STATE_DIRECTORY}/herald.db"
            [admin]
            socket = "${RUNTIME_DIRECTORY}/admin.sock"
            [carrier]
            account_sid = "AC1"
            """, environment: ["STATE_DIRECTORY": "/var/lib/herald", "RUNTIME_DIRECTORY": "/run/herald"])
        #expect(configuration.database.path == "/var/lib/herald/herald.db")
        #expect(configuration.admin.socket == "/run/herald/admin.sock")
    }

    @Test("clock times", arguments: [
        ("08:00", 8, 0), ("8:05", 8, 5), ("00:00", 0, 0), ("23:59", 23, 59),
    ])
    func clockTimes(text: String, hour: Int, minute: Int) {
        #expect(TimeOfDay(parsing: text) == TimeOfDay(hour: hour, minute: minute))
        #expect(TimeOfDay(parsing: text)?.minutesSinceMidnight == hour * 60 + minute)
    }

    @Test("not clock times", arguments: ["24:00", "25:00", "12:60", "1200", "12:5", "012:00", "12:00:00", "", ":", "-1:00", "ab:cd", "１２:００"])
    func notClockTimes(text: String) {
        #expect(TimeOfDay(parsing: text) == nil)
    }

    @Test("weekdays map to Calendar numbering")
    func weekdays() {
        #expect(Weekday.sun.calendarWeekday == 1)
        #expect(Weekday.sat.calendarWeekday == 7)
        for day in Weekday.allCases {
            #expect(Weekday(calendarWeekday: day.calendarWeekday) == day)
        }
    }

    @Test("edit distance")
    func editDistance() {
        #expect(EditDistance.between("max_inflight", "max_in_flight") == 1)
        #expect(EditDistance.between("", "abc") == 3)
        #expect(EditDistance.between("kitten", "sitting") == 3)
        #expect(EditDistance.closest(to: "databse", among: ["database", "admin"], within: 2) == "database")
        #expect(EditDistance.closest(to: "zzz", among: ["database", "admin"], within: 2) == nil)
    }
}
