import Foundation
import Testing

@testable import HeraldConfig

@Suite("Configuration problems")
struct ConfigurationErrorTests {
    @Test("unknown keys name their path and the closest known key")
    func unknownKeys() {
        #expect(problems(minimalTOML + "max_inflight = 3") == [
            #"carrier.max_inflight: unknown key (did you mean "max_in_flight"?)"#,
        ])
        #expect(problems(minimalTOML + "colour = 3") == ["carrier.colour: unknown key"])
        #expect(problems(minimalTOML + "[databse]\npath = \"x\"") == [
            #"databse: unknown key (did you mean "database"?)"#,
        ])
        #expect(problems(minimalTOML + "[[orgs]]\nid = \"a\"\nwindow_stat = \"09:00\"") == [
            #"orgs[0].window_stat: unknown key (did you mean "window_start"?)"#,
        ])
        #expect(problems(minimalTOML + "\"odd key\" = 1") == [#"carrier."odd key": unknown key"#])
    }

    @Test("wrong types say what was expected and what was found")
    func wrongTypes() {
        #expect(problems(minimalTOML + #"max_in_flight = "ten""#) == [
            #"carrier.max_in_flight: expected integer, found string "ten""#,
        ])
        #expect(problems(minimalTOML + "max_in_flight = 6.5") == ["carrier.max_in_flight: expected integer, found number 6.5"])
        #expect(problems(minimalTOML + "connect_timeout = true") == ["carrier.connect_timeout: expected number, found boolean true"])
        #expect(problems(minimalTOML + "[retry]\njitter = \"0.2\"") == [#"retry.jitter: expected number, found string "0.2""#])
        #expect(problems("database = 3\n" + minimalTOML) == ["database: expected table, found integer 3"])
        #expect(problems(minimalTOML + "[orgs]\nid = \"a\"") == ["orgs: expected array of tables ([[orgs]]), found table"])
        #expect(problems(minimalTOML + "[[orgs]]\nid = 7") == ["orgs[0].id: expected string, found integer 7"])
        #expect(problems(minimalTOML + "[[orgs]]\nid = \"a\"\ndays = [\"mon\", 2]") == ["orgs[0].days[1]: expected string, found integer 2"])
        #expect(problems(minimalTOML + "[[orgs]]\nid = \"a\"\nwindow_start = 08:00:00") == [
            "orgs[0].window_start: expected string, found time 08:00:00",
        ])
    }

    @Test("required keys")
    func missingKeys() {
        #expect(problems("") == ["carrier.account_sid: required key is missing"])
        #expect(problems(minimalTOML + "[[orgs]]\nname = \"No Id\"\n[[orgs.users]]\nid = \"u\"") == [
            "orgs[0].id: required key is missing",
            "orgs[0].users[0].number: required key is missing",
        ])
        #expect(problems("[carrier]\naccount_sid = \" \"") == ["carrier.account_sid: must not be empty"])
    }

    @Test("sending windows and timezones")
    func windows() {
        let org = minimalTOML + "[[orgs]]\nid = \"a\"\n"
        #expect(problems(org + #"window_start = "25:00""#) == [
            #"orgs[0].window_start: "25:00" is not a time of day HH:MM between 00:00 and 23:59"#,
        ])
        #expect(problems(org + #"timezone = "America/Chikago""#) == [
            #"orgs[0].timezone: "America/Chikago" is not an IANA timezone (e.g. "America/Chicago")"#,
        ])
        #expect(problems(org + #"timezone = "CST""#) == [
            #"orgs[0].timezone: "CST" is not an IANA timezone (e.g. "America/Chicago")"#,
        ])
        #expect(problems(org + "window_start = \"09:00\"\nwindow_end = \"9:00\"") == [
            #"orgs[0].window_end: equals window_start (09:00): the window would be empty; to send around the clock use window_start = "00:00" and window_end = "23:59""#,
        ])
        #expect(problems(org + "window_start = \"22:00\"\nwindow_end = \"02:00\"").isEmpty)
        #expect(problems(org + "days = []") == [
            "orgs[0].days: lists no days, so nothing would ever send; leave days out to send every day",
        ])
        #expect(problems(org + #"days = ["mon", "funday"]"#) == [
            #"orgs[0].days: "funday" at index 1 is not a day (mon, tue, wed, thu, fri, sat, sun)"#,
        ])
    }

    @Test("sender numbers")
    func numbers() {
        func user(_ number: String, type: String = "long_code") -> String {
            minimalTOML + "[[orgs]]\nid = \"a\"\n[[orgs]]\nid = \"b\"\n[[orgs.users]]\nid = \"u\"\nnumber = \"\(number)\"\nnumber_type = \"\(type)\""
        }
        #expect(problems(user("+1612555010")) == [
            #"orgs[1].users[0].number: "+1612555010" is not an E.164 number +1XXXXXXXXXX ("+1" then 10 digits, no spaces or dashes)"#,
        ])
        #expect(problems(user("(612) 555-0100")).first?.hasPrefix("orgs[1].users[0].number: \"(612) 555-0100\" is not an E.164 number") == true)
        #expect(problems(user("+18765550100")).first?.hasPrefix(#"orgs[1].users[0].number: "+18765550100" cannot be a long code: "#) == true)
        #expect(problems(user("+18885550100")) == [
            #"orgs[1].users[0].number: "+18885550100" is a toll-free number; set number_type = "toll_free""#,
        ])
        #expect(problems(user("+16125550100", type: "toll_free")) == [
            #"orgs[1].users[0].number: "+16125550100" is not a toll-free number (area code 800, 833, 844, 855, 866, 877, 888)"#,
        ])
        #expect(problems(user("1234", type: "short_code")) == [
            #"orgs[1].users[0].number: "1234" is not a short code (5 or 6 digits, not starting with 0)"#,
        ])
        #expect(problems(user("+16125550100", type: "mms")) == [
            #"orgs[1].users[0].number_type: "mms" is not one of "long_code", "toll_free", "short_code""#,
        ])
    }

    @Test("numbers out of range")
    func ranges() {
        #expect(problems(minimalTOML + "max_in_flight = 0") == ["carrier.max_in_flight: must be greater than 0, found 0"])
        #expect(problems(minimalTOML + "request_timeout = -1") == ["carrier.request_timeout: must be greater than 0, found -1"])
        #expect(problems(minimalTOML + "connect_timeout = nan") == ["carrier.connect_timeout: must be a finite number, found nan"])
        #expect(problems(minimalTOML + "[retry]\njitter = 1.5") == ["retry.jitter: must be between 0 and 1, found 1.5"])
        #expect(problems(minimalTOML + "[retry]\nmin_backoff = 60\nmax_backoff = 30") == [
            "retry.min_backoff: 60 is greater than retry.max_backoff 30",
        ])
        #expect(problems(minimalTOML + "[retry]\nmax_attempts = 0") == ["retry.max_attempts: must be greater than 0, found 0"])
        #expect(problems(minimalTOML + "[rates]\nshort_code = 0") == ["rates.short_code: must be greater than 0, found 0"])
        #expect(problems(minimalTOML + "[dispatch]\nshutdown_grace = -0.5") == ["dispatch.shutdown_grace: must not be negative, found -0.5"])
        #expect(problems(minimalTOML + "[retention]\ndays = -3") == ["retention.days: must be greater than 0, found -3"])
        #expect(problems(minimalTOML + "[ingest]\nbatch_size = 0") == ["ingest.batch_size: must be greater than 0, found 0"])
        #expect(problems(minimalTOML + "[[orgs]]\nid = \"a\"\n[[orgs.users]]\nid = \"u\"\nnumber = \"+16125550100\"\nrate = 0") == [
            "orgs[0].users[0].rate: must be greater than 0, found 0",
        ])
    }

    @Test("choices, addresses and URLs")
    func choicesAndAddresses() {
        #expect(problems(minimalTOML + #"segmentation = "server""#) == [
            #"carrier.segmentation: "server" is not one of "carrier", "client""#,
        ])
        #expect(problems(minimalTOML + "[log]\nlevel = \"verbose\"") == [
            #"log.level: "verbose" is not one of "trace", "debug", "info", "notice", "warning", "error", "critical""#,
        ])
        #expect(problems(minimalTOML + #"base_url = "https://api.twilio.com/""#) == [
            #"carrier.base_url: "https://api.twilio.com/" must not end with "/"; write "https://api.twilio.com""#,
        ])
        #expect(problems(minimalTOML + "[webhooks]\npublic_url = \"sms.example.com\"") == [
            #"webhooks.public_url: "sms.example.com" is not an http:// or https:// URL"#,
        ])
        #expect(problems(minimalTOML + "[webhooks]\nlisten = \"8088\"") == [
            #"webhooks.listen: "8088" is not host:port (e.g. "127.0.0.1:8088")"#,
        ])
        #expect(problems(minimalTOML + "[webhooks]\nlisten = \"::1:8088\"") == [
            #"webhooks.listen: "::1:8088" needs brackets around an IPv6 host (e.g. "[::1]:8088")"#,
        ])
        #expect(problems(minimalTOML + "[webhooks]\nlisten = \"127.0.0.1:70000\"") == [
            #"webhooks.listen: "127.0.0.1:70000" has no port between 1 and 65535 (or 0 for one the system picks)"#,
        ])
        #expect(problems(minimalTOML + "[webhooks]\nlisten = \":8088\"") == [
            #"webhooks.listen: ":8088" has no host; use "0.0.0.0:PORT" to listen on every interface"#,
        ])
    }

    @Test("paths")
    func paths() {
        let long = "/run/" + String(repeating: "x", count: 110)
        #expect(problems(minimalTOML + "[admin]\nsocket = \"\(long)\"") == [
            "admin.socket: \"\(long)\" is 115 bytes long; a Unix socket path holds at most 107",
        ])
        #expect(problems(minimalTOML + "[database]\npath = \"${STATE_DIRECTORY}/herald.db\"") == [
            #"database.path: "${STATE_DIRECTORY}/herald.db" refers to ${STATE_DIRECTORY}, which is not set in the environment"#,
        ])
        #expect(problems(minimalTOML + "[database]\npath = \"${STATE\"") == [
            #"database.path: "${STATE" has a "${" without its closing "}""#,
        ])
        #expect(problems(minimalTOML + "[database]\npath = \"\"") == ["database.path: must not be empty"])
    }

    @Test("duplicate organizations, users and numbers")
    func duplicates() {
        let toml = minimalTOML + """
            [[orgs]]
            id = "a"
            [[orgs.users]]
            id = "u"
            number = "+16125550100"
            [[orgs.users]]
            id = "u"
            number = "+16125550101"
            [[orgs]]
            id = "b"
            [[orgs.users]]
            id = "u"
            number = "+16125550100"
            [[orgs]]
            id = "a"
            """
        #expect(problems(toml) == [
            #"orgs[0].users[1].id: duplicate user id "u" in this organization, already used by orgs[0].users[0].id"#,
            "orgs[1].users[0].number: +16125550100 is already the number of orgs[0].users[0].number; a number sends for one user only",
            #"orgs[2].id: duplicate organization id "a", already used by orgs[0].id"#,
        ])
    }

    @Test("the auth token itself is refused, with where to put it instead")
    func authTokenRefused() {
        #expect(problems(minimalTOML + #"auth_token = "secret""#) == [
            "carrier.auth_token: the auth token is never accepted in the configuration file (it is world-readable and ends up in backups); put it in a file named by carrier.auth_token_file or in the systemd credential named by carrier.auth_token_credential",
        ])
    }

    @Test("exactly one token source")
    func tokenSources() throws {
        #expect(problems(minimalTOML + "auth_token_file = \"/t\"\nauth_token_credential = \"c\"") == [
            #"carrier.auth_token_file: both auth_token_file and auth_token_credential ("c") are set; set exactly one and make the other "" or remove it"#,
        ])
        #expect(problems(minimalTOML + "auth_token_file = \"\"\nauth_token_credential = \"\"") == [
            "carrier.auth_token_credential: is empty and auth_token_file is not set; the carrier token must come from one of them",
        ])
        #expect(problems(minimalTOML + "auth_token_credential = \"../token\"") == [
            #"carrier.auth_token_credential: "../token" is not a credential name (a file name in $CREDENTIALS_DIRECTORY, without "/")"#,
        ])
        #expect(try parse(minimalTOML + "auth_token_file = \"/t\"\nauth_token_credential = \"\"").carrier.tokenSource == .file(path: "/t"))
        #expect(try parse(minimalTOML + "auth_token_credential = \"twilio\"").carrier.tokenSource == .credential(name: "twilio"))
    }

    @Test("a syntax error gives line and column")
    func syntaxError() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try parse("[carrier]\naccount_sid = \"AC1\"\nmax_in_flight = = 3\n")
        }
        guard case .syntax(nil, let line, let column, _) = error else {
            Issue.record("expected a syntax error, got \(error)")
            return
        }
        #expect(line == 3)
        #expect(column > 0)
        #expect(error.description.hasPrefix("line 3, column \(column): TOML syntax error: "))
    }

    @Test("an unreadable file is named with the reason")
    func unreadableFile() throws {
        #expect(throws: ConfigurationError.unreadable(path: "/nonexistent/herald.toml", reason: "No such file or directory")) {
            try HeraldConfiguration.load(path: "/nonexistent/herald.toml", environment: [:])
        }
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: ConfigurationError.unreadable(path: directory.path, reason: "Is a directory")) {
            try HeraldConfiguration.load(path: directory.path, environment: [:])
        }
        let binary = directory.appendingPathComponent("binary.toml")
        try Data([0xFF, 0xFE, 0x00]).write(to: binary)
        #expect(throws: ConfigurationError.unreadable(path: binary.path, reason: "not valid UTF-8 text")) {
            try HeraldConfiguration.load(path: binary.path, environment: [:])
        }
    }

    @Test("a syntax error in a file names the file")
    func syntaxErrorInFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("herald.toml")
        try write("[carrier\n", to: file)
        let error = try #require(throws: ConfigurationError.self) {
            try HeraldConfiguration.load(path: file.path, environment: [:])
        }
        #expect(error.description.hasPrefix("\(file.path): line 1, column "))
    }

    @Test("all problems are reported together, one per line, in file order")
    func severalProblems() throws {
        let toml = """
            [database]
            pth = "/x.db"
            [carrier]
            max_in_flight = "ten"
            auth_token = "secret"
            [retry]
            jitter = 2
            [[orgs]]
            id = "a"
            window_start = "25:00"
            timezone = "America/Chikago"
            [[orgs.users]]
            id = "u"
            number = "6125550100"
            """
        let error = try #require(throws: ConfigurationError.self) { try parse(toml) }
        let keys = error.problems.map(\.key)
        #expect(keys == [
            "database.pth", "carrier.auth_token", "carrier.account_sid", "carrier.max_in_flight", "retry.jitter",
            "orgs[0].timezone", "orgs[0].window_start", "orgs[0].users[0].number",
        ])
        let lines = error.description.components(separatedBy: "\n")
        #expect(lines.count == 8)
        #expect(lines == error.problems.map(\.description))
        #expect(lines[0] == #"database.pth: unknown key (did you mean "path"?)"#)
    }

    @Test("one problem is thrown as itself, several as .several")
    func combining() {
        #expect(ConfigurationError.combining([]) == nil)
        #expect(ConfigurationError.combining([.missingKey(key: "a")]) == .missingKey(key: "a"))
        #expect(ConfigurationError.combining([.missingKey(key: "a"), .several([.missingKey(key: "b")])])
            == .several([.missingKey(key: "a"), .missingKey(key: "b")]))
    }
}
