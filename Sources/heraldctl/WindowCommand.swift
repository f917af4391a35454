import ArgumentParser
import Foundation
import HeraldConfig
import HeraldCore

struct WindowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "window",
        abstract: "May a text go out at a given instant? Org window, recipient quiet hours and state rules.",
        discussion: """
            Answers as heraldd does: the organization's window in its timezone, the recipient's quiet hours in every timezone of the number's area code, and the rule of the recipient's state. When the text may not go out, prints the earliest instant it may (in the organization's UTC offset) and the rule that opened last.

            Examples:
              heraldctl window --to "(512) 555-0100" --at 2026-11-22T10:00:00-06:00
              heraldctl window --json --days mon-fri --to +14015550100
              heraldctl window --org-timezone America/New_York --start 10:00 \\
                  --end 19:00 --to 808-555-0100 --kind journey

            --rules defaults to the table built into heraldd, the same as the shipped etc/herald/quiet-hours.toml. Exit status 0 when the text may go out at --at, 1 when it may not, 64 for bad arguments or a bad rules file.
            """
    )

    @Flag(help: #"Print JSON: {"allowed","next","reason"}."#)
    var json = false

    @Option(name: .customLong("org-timezone"), help: "The organization's IANA timezone.")
    var orgTimeZone = "America/Chicago"

    @Option(help: "Window start, HH:MM, in the organization's timezone.")
    var start = "08:00"

    @Option(help: "Window end, HH:MM; earlier than --start means the window crosses midnight.")
    var end = "16:00"

    @Option(help: "Days the window opens: mon,tue,... or ranges such as mon-fri. Default: every day.")
    var days: String?

    @Option(help: "The recipient's number, as typed.")
    var to: String

    @Option(help: "The instant to ask about, ISO 8601 with Z or an offset. Default: now.")
    var at: String?

    @Option(help: "Message kind: conversational, journey, bulk, opt_in_request or system.")
    var kind = "bulk"

    @Option(help: "A quiet-hours.toml to use instead of the built-in table.")
    var rules: String?

    func run() throws {
        let window = try makeWindow()
        let number: PhoneNumber
        switch PhoneNumber.parse(to) {
        case .success(let parsed): number = parsed
        case .failure(let error): throw ValidationError("--to: \(error)")
        }
        let instant: Date
        if let at {
            guard let parsed = Timestamp.parse(at) else {
                throw ValidationError("--at: \(String(reflecting: at)) is not an ISO 8601 time with Z or an offset (e.g. 2026-11-23T09:00:00-06:00)")
            }
            instant = parsed
        } else {
            instant = Date()
        }
        guard let kind = MessageKind(rawValue: kind) else {
            throw ValidationError("--kind: \(String(reflecting: kind)) is not one of \(MessageKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let table = try loadTable()

        let calculator = WindowCalculator(rules: table)
        let explanation = calculator.explain(at: instant, window: window, recipient: RecipientLocation(number), kind: kind)
        if json {
            JSONOutput.print(WindowJSON(explanation.decision, at: instant, window: window))
        } else {
            printHuman(explanation, at: instant, window: window, number: number, kind: kind, table: table, horizon: calculator.horizonDays)
        }
        if !explanation.decision.isAllowed { throw ExitCode(1) }
    }

    private func makeWindow() throws -> SendingWindow {
        guard let startTime = TimeOfDay(parsing: start) else {
            throw ValidationError("--start: \(String(reflecting: start)) is not a time of day HH:MM between 00:00 and 23:59")
        }
        guard let endTime = TimeOfDay(parsing: end) else {
            throw ValidationError("--end: \(String(reflecting: end)) is not a time of day HH:MM between 00:00 and 23:59")
        }
        let weekdays = try days.map(Self.parseDays) ?? Set(Weekday.allCases)
        do {
            return try SendingWindow(start: startTime, end: endTime, days: weekdays, timeZone: orgTimeZone)
        } catch {
            let option = switch error {
            case .emptyHours: "--end"
            case .noDays: "--days"
            case .unknownTimeZone: "--org-timezone"
            }
            throw ValidationError("\(option): \(error)")
        }
    }

    /// "mon,wed,fri", "mon-fri", "sat,sun"; a range may wrap ("fri-mon").
    static func parseDays(_ text: String) throws -> Set<Weekday> {
        var result: Set<Weekday> = []
        for item in text.lowercased().split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let ends = item.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(ends.count), let first = Weekday(rawValue: ends[0]), let last = Weekday(rawValue: ends[ends.count - 1]) else {
                throw ValidationError("--days: \(String(reflecting: item)) is not a day or a range of days (mon tue wed thu fri sat sun, e.g. mon-fri)")
            }
            var index = first.isoIndex
            while true {
                result.insert(Weekday(isoIndex: index))
                if index % 7 == last.isoIndex { break }
                index += 1
            }
        }
        guard !result.isEmpty else { throw ValidationError("--days: lists no days, so nothing would ever send") }
        return result
    }

    private func loadTable() throws -> StateRuleTable {
        guard let rules else { return .shipped }
        do {
            return try QuietHoursFile.load(path: rules)
        } catch {
            for problem in error.problems {
                FileHandle.standardError.write(Data("\(rules): \(problem)\n".utf8))
            }
            throw ExitCode(64)
        }
    }

    // MARK: Human output

    private func printHuman(
        _ explanation: WindowExplanation, at instant: Date, window: SendingWindow, number: PhoneNumber,
        kind: MessageKind, table: StateRuleTable, horizon: Int
    ) {
        let atText = window.localTimestamp(instant)
        switch explanation.decision {
        case .allowed:
            print("allowed at \(atText) (\(Self.weekday(atText)))")
        case .deferred(let until, let reason):
            let untilText = window.localTimestamp(until)
            print("not allowed at \(atText) (\(Self.weekday(atText)))")
            print("next allowed:  \(untilText) (\(Self.weekday(untilText))), held by \(reason.rawValue)")
        case .never(let reason):
            print("not allowed at \(atText) (\(Self.weekday(atText)))")
            print("never within \(horizon) days: these rules never allow it together (\(reason.rawValue) could not be met)")
        }
        if !kind.isHeldBySendingWindow {
            print("kind:          \(kind.rawValue), which sending windows never hold")
            return
        }
        print("org window:    \(window)")
        let region = number.region.rawValue + (number.subdivision.map { "-\($0)" } ?? "")
        var zones = explanation.recipientTimeZones.joined(separator: ", ")
        if explanation.usedOrganizationTimeZone { zones += " (the number's timezone is unknown here: the organization's is used)" }
        print("recipient:     \(number.e164) \(region), \(zones)")
        print("quiet hours:   \(table.recipientHours.allowed) recipient local time, in every timezone above")
        if let subdivision = number.subdivision, let rule = table.rules[subdivision] {
            let status = rule.enabled ? "" : " [switched off]"
            print("state rule:    \(rule.subdivision) \(rule.name)\(status): \(rule.hoursDescription)")
            print("               \(rule.certainty.rawValue); \(rule.source)\(rule.note.map { "; \($0)" } ?? "")")
            if let cap = rule.frequencyCap {
                // This command knows no history, so it can only say how heraldd counts.
                print("               frequency cap: \(cap)")
                print("               heraldd holds a text once the organization sent \(cap.messages) held-kind texts to this number")
                print("               in \(cap.perHours) h (subjects are not told apart, so all count); this answer does not count earlier texts")
            }
            if rule.enabled, rule.closedOnHolidays {
                printHolidays(rule, table: table, at: instant, zones: explanation.recipientTimeZones)
            }
        } else {
            print("state rule:    none for \(number.subdivision ?? region)")
        }
    }

    /// Which holidays close the rule, and the holiday (if any) on the recipient's local date at
    /// `instant`, so a text held over a holiday says why.
    private func printHolidays(_ rule: StateRule, table: StateRuleTable, at instant: Date, zones: [String]) {
        var sources: [String] = []
        if table.federalHolidays { sources.append("US federal holidays and their observed days, every year") }
        if !table.listedHolidays.isEmpty { sources.append("\(table.listedHolidays.count) dates in [holidays]") }
        if !rule.extraHolidays.isEmpty { sources.append("\(rule.extraHolidays.count) of the state's own") }
        print("               holidays: \(sources.isEmpty ? "none (federal_holidays = false and no dates listed)" : sources.joined(separator: ", "))")
        var seen: Set<CivilDate> = []
        for zone in zones {
            guard let timeZone = TimeZone(identifier: zone) else { continue }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let parts = calendar.dateComponents([.year, .month, .day], from: instant)
            guard let year = parts.year, let month = parts.month, let day = parts.day,
                  let date = CivilDate(year: year, month: month, day: day), seen.insert(date).inserted
            else { continue }
            let name = table.holiday(on: date) ?? (rule.extraHolidays.contains(date) ? "the state's own holiday" : nil)
            if let name { print("               \(date) (\(date.weekday.shortName)) is a holiday, closed all day: \(name)") }
        }
    }

    private static func weekday(_ localTimestamp: String) -> String {
        CivilDate(parsing: String(localTimestamp.prefix(10)))?.weekday.shortName ?? "?"
    }
}

struct WindowJSON: Encodable {
    var allowed: Bool
    var next: String?
    var reason: String?

    init(_ decision: WindowDecision, at instant: Date, window: SendingWindow) {
        switch decision {
        case .allowed:
            allowed = true
            next = window.localTimestamp(instant)
            reason = nil
        case .deferred(let until, let held):
            allowed = false
            next = window.localTimestamp(until)
            reason = held.rawValue
        case .never(let held):
            allowed = false
            next = nil
            reason = held.rawValue
        }
    }

    enum CodingKeys: String, CodingKey { case allowed, next, reason }

    // Absent values are written as null, as every heraldctl JSON answer does.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(allowed, forKey: .allowed)
        try container.encode(next, forKey: .next)
        try container.encode(reason, forKey: .reason)
    }
}
