import Foundation
import HeraldCore
import TOMLKit

/// Reads `quiet-hours.toml`, the recipient quiet hours, holidays and state rules (docs/windows.md),
/// into the `StateRuleTable` window evaluation uses. Like the main configuration, every problem
/// is reported at once, each with its key path (`states.TX.sun: …`), and unknown keys are errors.
///
/// The file is the whole table; without one, `StateRuleTable.shipped` (the same table as the
/// shipped file) applies.
public enum QuietHoursFile {
    public static let defaultPath = "/etc/herald/quiet-hours.toml"

    public static func load(path: String) throws(ConfigurationError) -> StateRuleTable {
        let text: String
        switch FileReading.text(atPath: path) {
        case .success(let contents): text = contents
        case .failure(let failure): throw .unreadable(path: path, reason: failure.description)
        }
        return try parse(toml: text, fileName: path)
    }

    /// - Parameter fileName: shown in syntax errors when the text came from a file.
    public static func parse(toml: String, fileName: String? = nil) throws(ConfigurationError) -> StateRuleTable {
        let document = try TOMLDocument.parse(toml, fileName: fileName)
        let log = ProblemLog()
        let table = QuietHoursParser(log: log).parse(document)
        if let problem = ConfigurationError.combining(log.problems) { throw problem }
        return table
    }
}

private struct QuietHoursParser {
    let log: ProblemLog

    func parse(_ document: TOMLTable) -> StateRuleTable {
        let root = TOMLReader(table: document, path: "", log: log)
        let fallback = QuietHours.federal.allowed
        var recipientHours = fallback
        if let text = root.string("default_hours", default: fallback.description),
           let hours = dailyHours(root, "default_hours", text) {
            recipientHours = hours
        }
        // Computed for every year unless switched off; `[holidays]` adds to them.
        let federalHolidays = bool(root, document, "federal_holidays", default: true) ?? true
        let holidays = parseHolidays(root, document)
        let rules = parseStates(root, document)
        root.reportUnknownKeys()
        return StateRuleTable(
            recipientHours: QuietHours(allowed: recipientHours), federalHolidays: federalHolidays,
            listedHolidays: holidays, rules: rules
        )
    }

    // MARK: Sections

    private func parseHolidays(_ root: TOMLReader, _ document: TOMLTable) -> [CivilDate: String] {
        guard let section = subtable(root, document, "holidays") else { return [:] }
        let reader = TOMLReader(table: section, path: root.keyPath("holidays"), log: log)
        var holidays: [CivilDate: String] = [:]
        for key in section.keys.sorted() {
            guard let name = reader.string(key) else { continue }
            guard let date = CivilDate(parsing: key) else {
                log.add(.badValue(key: reader.keyPath(key), problem: "\(String(reflecting: key)) is not a date YYYY-MM-DD"))
                continue
            }
            holidays[date] = name
        }
        return holidays
    }

    private func parseStates(_ root: TOMLReader, _ document: TOMLTable) -> [StateRule] {
        guard let section = subtable(root, document, "states") else { return [] }
        let states = TOMLReader(table: section, path: root.keyPath("states"), log: log)
        var rules: [StateRule] = []
        for code in section.keys.sorted() {
            guard let table = subtable(states, section, code) else { continue }
            let reader = TOMLReader(table: table, path: states.keyPath(code), log: log)
            let isCode = code.count == 2 && code.allSatisfy { ("A"..."Z").contains($0) }
            if !isCode {
                log.add(.badValue(key: reader.path, problem: "\(String(reflecting: code)) is not a two-letter state or province code in capitals (e.g. \"TX\")"))
            }
            if let rule = parseRule(code, reader, table), isCode { rules.append(rule) }
        }
        return rules
    }

    private func parseRule(_ code: String, _ r: TOMLReader, _ table: TOMLTable) -> StateRule? {
        defer { r.reportUnknownKeys() }
        let name = r.requiredString("name")
        let enabled = bool(r, table, "enabled", default: true)
        var certainty: StateRule.Certainty?
        if r.contains("certainty") {
            certainty = r.choice("certainty", default: StateRule.Certainty.uncertain)
        } else {
            log.add(.missingKey(key: r.keyPath("certainty")))
        }
        let source = r.requiredString("source")
        let note = r.contains("note") ? r.string("note") : nil
        let hours = parseWeek(r)
        let closedOnHolidays = bool(r, table, "closed_on_holidays", default: false)
        let extraHolidays = parseExtraHolidays(r)
        let cap = parseCap(r, table)

        guard let name, let enabled, let certainty, let source, let hours, let closedOnHolidays,
              let extraHolidays, let cap
        else { return nil }
        if r.contains("note"), note == nil { return nil }
        return StateRule(
            subdivision: code, name: name, enabled: enabled, certainty: certainty, source: source, note: note,
            hours: hours, closedOnHolidays: closedOnHolidays, extraHolidays: extraHolidays, frequencyCap: cap.value
        )
    }

    /// `hours` for every day, each of `mon` … `sun` overriding it with hours or "closed".
    private func parseWeek(_ r: TOMLReader) -> [Weekday: DailyHours]? {
        var valid = true
        var everyDay: DailyHours?
        if r.contains("hours") {
            if let text = r.string("hours"), let hours = dailyHours(r, "hours", text) {
                everyDay = hours
            } else {
                valid = false
            }
        }
        var week: [Weekday: DailyHours] = [:]
        var unspecified: [Weekday] = []
        for day in Weekday.allCases {
            guard r.contains(day.rawValue) else {
                if let everyDay { week[day] = everyDay } else { unspecified.append(day) }
                continue
            }
            guard let text = r.string(day.rawValue) else {
                valid = false
                continue
            }
            if text == "closed" { continue }
            if let hours = dailyHours(r, day.rawValue, text, closedAllowed: true) { week[day] = hours } else { valid = false }
        }
        guard valid else { return nil }
        if !unspecified.isEmpty, !r.contains("hours") {
            r.badValue("hours", "is required unless every day has its own hours (missing: \(unspecified.map(\.rawValue).joined(separator: ", ")))")
            return nil
        }
        if week.isEmpty {
            r.badValue("hours", "every day is closed, so no text could ever reach this state; to switch the rule off write enabled = false")
            return nil
        }
        return week
    }

    private func parseExtraHolidays(_ r: TOMLReader) -> Set<CivilDate>? {
        guard r.contains("holidays") else { return [] }
        guard let texts = r.stringArray("holidays") else { return nil }
        var dates: Set<CivilDate> = []
        var valid = true
        for (index, text) in texts.enumerated() {
            if let date = CivilDate(parsing: text) {
                dates.insert(date)
            } else {
                log.add(.badValue(key: r.keyPath("holidays") + "[\(index)]", problem: "\(String(reflecting: text)) is not a date YYYY-MM-DD"))
                valid = false
            }
        }
        return valid ? dates : nil
    }

    /// `.some(nil)` when there is no cap; nil when the cap is unusable (problem logged).
    private func parseCap(_ r: TOMLReader, _ table: TOMLTable) -> Box<StateRule.FrequencyCap?>? {
        guard let capTable = subtable(r, table, "frequency_cap") else {
            return r.contains("frequency_cap") ? nil : Box(nil)
        }
        let reader = TOMLReader(table: capTable, path: r.keyPath("frequency_cap"), log: log)
        defer { reader.reportUnknownKeys() }
        for key in ["messages", "per_hours"] where !reader.contains(key) {
            log.add(.missingKey(key: reader.keyPath(key)))
        }
        let messages = reader.positiveInteger("messages", default: 1)
        let perHours = reader.positiveInteger("per_hours", default: 1)
        let sameSubject = bool(reader, capTable, "same_subject", default: false)
        guard reader.contains("messages"), reader.contains("per_hours"), let messages, let perHours, let sameSubject else { return nil }
        return Box(StateRule.FrequencyCap(messages: messages, perHours: perHours, sameSubject: sameSubject))
    }

    // MARK: Values

    private func dailyHours(_ r: TOMLReader, _ key: String, _ text: String, closedAllowed: Bool = false) -> DailyHours? {
        if let hours = DailyHours(parsing: text) { return hours }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 2, let start = TimeOfDay(parsing: parts[0]), start == TimeOfDay(parsing: parts[1]) {
            r.badValue(key, "\(String(reflecting: text)) starts and ends at \(start), so it allows nothing; to allow the whole day write \"00:00-23:59\"")
        } else {
            let expected = closedAllowed ? "hours \"HH:MM-HH:MM\" (24-hour clock) or \"closed\"" : "hours \"HH:MM-HH:MM\" (24-hour clock)"
            r.badValue(key, "\(String(reflecting: text)) is not \(expected)")
        }
        return nil
    }

    private func bool(_ r: TOMLReader, _ table: TOMLTable, _ key: String, default fallback: Bool) -> Bool? {
        guard r.contains(key), let value = table[key] else { return fallback }
        guard let bool = value.bool else {
            log.add(.wrongType(key: r.keyPath(key), expected: "boolean", found: TOMLReader.describe(value)))
            return nil
        }
        return bool
    }

    /// The table at `key` of `table` (read through `r`, so the key counts as known); nil when
    /// absent or not a table (logged).
    private func subtable(_ r: TOMLReader, _ table: TOMLTable, _ key: String) -> TOMLTable? {
        guard r.contains(key), let value = table[key] else { return nil }
        guard let subtable = value.table else {
            log.add(.wrongType(key: r.keyPath(key), expected: "table", found: TOMLReader.describe(value)))
            return nil
        }
        return subtable
    }
}

/// Tells "no value" from "unusable value" for optional results.
private struct Box<Value> {
    let value: Value
    init(_ value: Value) { self.value = value }
}
