import Foundation
import HeraldCore
import Testing

@testable import HeraldConfig

/// The problems a quiet-hours file has, one description per problem; empty when it parses.
private func quietHoursProblems(_ toml: String) -> [String] {
    do {
        _ = try QuietHoursFile.parse(toml: toml)
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

/// A state table with every required key, to which a test adds or overrides lines.
private func state(_ code: String = "TX", _ lines: String...) -> String {
    """
    [states.\(code)]
    name = "Test"
    certainty = "certain"
    source = "test"
    hours = "09:00-21:00"
    \(lines.joined(separator: "\n"))

    """
}

@Suite("quiet-hours.toml")
struct QuietHoursFileTests {
    let shipped = repositoryRoot.appendingPathComponent("etc/herald/quiet-hours.toml")

    @Test("the shipped file is the table built into heraldd")
    func shippedFileEqualsBuiltInTable() throws {
        let table = try QuietHoursFile.load(path: shipped.path)
        #expect(table == StateRuleTable.shipped)
        // Field by field too, so a difference says where it is.
        #expect(table.recipientHours == StateRuleTable.shipped.recipientHours)
        #expect(table.federalHolidays == StateRuleTable.shipped.federalHolidays)
        #expect(table.listedHolidays == StateRuleTable.shipped.listedHolidays)
        #expect(Set(table.rules.keys) == Set(StateRuleTable.shipped.rules.keys))
        for (code, rule) in table.rules {
            #expect(rule == StateRuleTable.shipped.rules[code], "states.\(code)")
        }
    }

    @Test("federal holidays are computed unless switched off; [holidays] adds dates and names")
    func holidays() throws {
        let date = { (text: String) in CivilDate(parsing: text)! }
        // The shipped file lists no dates, yet closes every year's federal holidays.
        let shippedTable = try QuietHoursFile.load(path: shipped.path)
        #expect(shippedTable.federalHolidays)
        #expect(shippedTable.holiday(on: date("2031-11-27")) == "Thanksgiving Day")

        let added = try QuietHoursFile.parse(toml: """
            [holidays]
            "2030-12-24" = "Christmas Eve"
            "2030-12-25" = "Christmas (listed)"
            """)
        #expect(added.holiday(on: date("2030-12-24")) == "Christmas Eve")
        #expect(added.holiday(on: date("2030-12-25")) == "Christmas (listed)")
        #expect(added.holiday(on: date("2030-11-28")) == "Thanksgiving Day")

        let listedOnly = try QuietHoursFile.parse(toml: """
            federal_holidays = false
            [holidays]
            "2030-12-24" = "Christmas Eve"
            """)
        #expect(!listedOnly.federalHolidays)
        #expect(listedOnly.holiday(on: date("2030-12-24")) == "Christmas Eve")
        #expect(listedOnly.holiday(on: date("2030-12-25")) == nil)

        // A file written before holidays were computed, listing 2026-2027 by hand, still works
        // and now closes later years too.
        let oldStyle = try QuietHoursFile.parse(toml: """
            [holidays]
            "2027-12-31" = "New Year's Day 2028 (observed)"
            "2027-07-05" = "Independence Day (observed)"
            """)
        #expect(oldStyle.holiday(on: date("2027-12-31")) == "New Year's Day 2028 (observed)")
        #expect(oldStyle.holiday(on: date("2028-01-17")) == "Birthday of Martin Luther King, Jr.")

        #expect(quietHoursProblems("federal_holidays = \"yes\"") == ["federal_holidays: expected boolean, found string \"yes\""])
    }

    @Test("an empty file means federal quiet hours and no state rules")
    func emptyFile() throws {
        #expect(try QuietHoursFile.parse(toml: "") == StateRuleTable.federalOnly)
    }

    @Test("a rule switched off stays in the table but does not apply")
    func switchedOff() throws {
        let table = try QuietHoursFile.parse(toml: state("FL", "enabled = false"))
        #expect(table.rules["FL"]?.enabled == false)
        #expect(table.rule(for: "FL") == nil)
    }

    @Test("days, closed days, holidays and caps")
    func fullRule() throws {
        let toml = """
            default_hours = "08:30-20:30"
            [holidays]
            "2026-12-25" = "Christmas Day"
            """ + "\n" + state("RI", #"sat = "10:00-17:00""#, #"sun = "closed""#, "closed_on_holidays = true",
                               #"holidays = ["2026-08-10"]"#, #"note = "n""#,
                               "frequency_cap = { messages = 3, per_hours = 24, same_subject = true }")
        let table = try QuietHoursFile.parse(toml: toml)
        #expect(table.recipientHours == QuietHours(allowed: DailyHours(parsing: "08:30-20:30")!))
        #expect(table.listedHolidays == [CivilDate(parsing: "2026-12-25")!: "Christmas Day"])
        #expect(table.federalHolidays)
        let rule = try #require(table.rules["RI"])
        #expect(rule.hoursDescription == "Mon-Fri 09:00-21:00, Sat 10:00-17:00, Sun closed, closed on holidays")
        #expect(rule.extraHolidays == [CivilDate(parsing: "2026-08-10")!])
        #expect(rule.note == "n")
        #expect(rule.frequencyCap == StateRule.FrequencyCap(messages: 3, perHours: 24, sameSubject: true))
        #expect(rule.certainty == .certain)
        // Every day given: no `hours` needed.
        let days = Weekday.allCases.map { "\($0.rawValue) = \"10:00-18:00\"" }.joined(separator: "\n")
        let weekly = try QuietHoursFile.parse(toml: "[states.CT]\nname = \"C\"\ncertainty = \"certain\"\nsource = \"s\"\n" + days)
        #expect(weekly.rules["CT"]?.hoursDescription == "every day 10:00-18:00")
    }

    @Test("every problem is reported with its key")
    func problemsNameTheirKeys() {
        #expect(quietHoursProblems(#"default_hours = "8-21""#) == [
            #"default_hours: "8-21" is not hours "HH:MM-HH:MM" (24-hour clock)"#,
        ])
        #expect(quietHoursProblems(state("TX", #"sun = "12:00-12:00""#)) == [
            #"states.TX.sun: "12:00-12:00" starts and ends at 12:00, so it allows nothing; to allow the whole day write "00:00-23:59""#,
        ])
        #expect(quietHoursProblems(state("TX", #"sun = "noon""#)) == [
            #"states.TX.sun: "noon" is not hours "HH:MM-HH:MM" (24-hour clock) or "closed""#,
        ])
        #expect(quietHoursProblems(state("TX", "enabled = \"yes\"")) == [
            #"states.TX.enabled: expected boolean, found string "yes""#,
        ])
        #expect(quietHoursProblems(state("TX", "enabeld = false")) == [
            #"states.TX.enabeld: unknown key (did you mean "enabled"?)"#,
        ])
        #expect(quietHoursProblems(state("TX", #"certainty = "likely""#).replacingOccurrences(of: "certainty = \"certain\"\n", with: "")) == [
            #"states.TX.certainty: "likely" is not one of "certain", "uncertain""#,
        ])
        #expect(quietHoursProblems("[states.TX]\nhours = \"09:00-21:00\"") == [
            "states.TX.name: required key is missing",
            "states.TX.certainty: required key is missing",
            "states.TX.source: required key is missing",
        ])
        #expect(quietHoursProblems("[states.TX]\nname = \"T\"\ncertainty = \"certain\"\nsource = \"s\"\nmon = \"09:00-21:00\"") == [
            "states.TX.hours: is required unless every day has its own hours (missing: tue, wed, thu, fri, sat, sun)",
        ])
        let closed = Weekday.allCases.map { "\($0.rawValue) = \"closed\"" }.joined(separator: "\n")
        #expect(quietHoursProblems(state("TX", closed)) == [
            "states.TX.hours: every day is closed, so no text could ever reach this state; to switch the rule off write enabled = false",
        ])
        #expect(quietHoursProblems(state("Texas")) == [
            #"states.Texas: "Texas" is not a two-letter state or province code in capitals (e.g. "TX")"#,
        ])
        #expect(quietHoursProblems("[holidays]\n\"2026-13-01\" = \"Nope\"\n\"2026-12-25\" = 1") == [
            "holidays.2026-12-25: expected string, found integer 1",
            #"holidays.2026-13-01: "2026-13-01" is not a date YYYY-MM-DD"#,
        ])
        #expect(quietHoursProblems(state("TX", #"holidays = ["2026-12-25", "Christmas"]"#, "closed_on_holidays = true")) == [
            #"states.TX.holidays[1]: "Christmas" is not a date YYYY-MM-DD"#,
        ])
        #expect(quietHoursProblems(state("TX", "frequency_cap = { messages = 0, per_hours = 24, hours = 1 }")) == [
            "states.TX.frequency_cap.messages: must be greater than 0, found 0",
            "states.TX.frequency_cap.hours: unknown key",
        ])
        #expect(quietHoursProblems(state("TX", "frequency_cap = { messages = 3 }")) == [
            "states.TX.frequency_cap.per_hours: required key is missing",
        ])
        #expect(quietHoursProblems("states = 3") == ["states: expected table, found integer 3"])
        #expect(quietHoursProblems("[federal]\nhours = \"08:00-21:00\"") == ["federal: unknown key"])
        #expect(quietHoursProblems("default_hours = ") .first?.contains("TOML syntax error") == true)
    }

    @Test("an unreadable file says why")
    func unreadable() {
        #expect(throws: ConfigurationError.unreadable(path: "/nonexistent/quiet-hours.toml", reason: "No such file or directory")) {
            try QuietHoursFile.load(path: "/nonexistent/quiet-hours.toml")
        }
    }
}
