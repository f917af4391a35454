/// Everything SPEC §5 rules 2 and 3 need besides the organization's window: the recipient quiet
/// hours every number gets, the holidays, and the state rules by subdivision. What
/// `etc/herald/quiet-hours.toml` holds; `shipped` is the same table built in, so heraldd works
/// without the file (a test checks that the two agree).
public struct StateRuleTable: Sendable, Hashable {
    /// Quiet hours for every US and Canadian recipient (`recipient_quiet_hours`).
    public var recipientHours: QuietHours
    /// Dates on which rules with `closedOnHolidays` are closed, in the recipient's local calendar,
    /// with their names. A date past the last one listed is not a holiday: extend the list.
    public var holidays: [CivilDate: String]
    /// By subdivision code ("TX"); disabled rules included.
    public var rules: [String: StateRule]

    public init(recipientHours: QuietHours = .federal, holidays: [CivilDate: String] = [:], rules: [StateRule] = []) {
        self.recipientHours = recipientHours
        self.holidays = holidays
        self.rules = Dictionary(rules.map { ($0.subdivision, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The enabled rule for a subdivision, if any.
    public func rule(for subdivision: String?) -> StateRule? {
        guard let subdivision, let rule = rules[subdivision], rule.enabled else { return nil }
        return rule
    }

    /// The last listed holiday: holiday bans stop after it until the list is extended.
    public var lastHoliday: CivilDate? { holidays.keys.max() }

    /// No state rules and the federal quiet hours: what a table means when a state is left out.
    public static let federalOnly = StateRuleTable()

    /// The table shipped as `etc/herald/quiet-hours.toml` (facts gathered November 2026; see
    /// that file for sources and certainty). Uncertain rules ship enabled: a wrong rule costs a
    /// delay, a missing one can cost a violation.
    public static let shipped = StateRuleTable(
        recipientHours: .federal,
        holidays: federalHolidays2026Through2027,
        rules: [
            StateRule(
                subdivision: "FL", name: "Florida", certainty: .uncertain,
                source: "Fla. Stat. 501.616(6) (2021)",
                note: "covers telephonic sales calls; whether texts are covered is uncertain",
                hours: StateRule.everyDay(.fixed(800, 2000)),
                frequencyCap: .init(messages: 3, perHours: 24, sameSubject: true)
            ),
            StateRule(
                subdivision: "OK", name: "Oklahoma", certainty: .certain,
                source: "15 O.S. 775C (2022)",
                note: "texts covered",
                hours: StateRule.everyDay(.fixed(800, 2000)),
                frequencyCap: .init(messages: 3, perHours: 24, sameSubject: true)
            ),
            StateRule(
                subdivision: "MD", name: "Maryland", certainty: .certain,
                source: "Md. Com. Law 14-4501 ff. (2024)",
                note: "texts covered; the cap counts calls and texts together",
                hours: StateRule.everyDay(.fixed(800, 2000)),
                frequencyCap: .init(messages: 3, perHours: 24, sameSubject: true)
            ),
            StateRule(
                subdivision: "TX", name: "Texas", certainty: .certain,
                source: "Tex. Bus. & Com. Code ch. 301; SB 140 (2025)",
                note: "texts covered since 1 Sep 2025",
                hours: StateRule.everyDay(.fixed(900, 2100), except: [.sun: .fixed(1200, 2100)])
            ),
            StateRule(
                subdivision: "CT", name: "Connecticut", certainty: .certain,
                source: "Conn. Gen. Stat. 42-288a (2023)",
                note: "texts covered",
                hours: StateRule.everyDay(.fixed(900, 2000))
            ),
            StateRule(
                subdivision: "VA", name: "Virginia", certainty: .certain,
                source: "Va. Code 59.1-511",
                note: "texts covered; from 2026 a STOP must be honoured for 10 years",
                hours: StateRule.everyDay(.fixed(800, 2100))
            ),
            StateRule(
                subdivision: "WA", name: "Washington", certainty: .uncertain,
                source: "RCW 80.36.390",
                note: "whether texts are covered is uncertain",
                hours: StateRule.everyDay(.fixed(800, 2000))
            ),
            StateRule(
                subdivision: "AL", name: "Alabama", certainty: .uncertain,
                source: "Ala. PSC rule 770-X-5-.17",
                note: "uncertain for texts; Alabama's own state holidays are not in the holiday list",
                hours: StateRule.everyDay(.fixed(800, 2000), except: [.sun: nil]),
                closedOnHolidays: true
            ),
            StateRule(
                subdivision: "LA", name: "Louisiana", certainty: .uncertain,
                source: "Louisiana telephone solicitation rules (no citation in the gathered facts)",
                note: "uncertain for texts; all solicitation is barred during declared emergencies, which Herald does not know about: pause the organization",
                hours: StateRule.everyDay(.fixed(800, 2000), except: [.sun: nil]),
                closedOnHolidays: true
            ),
            StateRule(
                subdivision: "MS", name: "Mississippi", certainty: .uncertain,
                source: "Miss. Code 77-3-723",
                note: "uncertain for texts; the statute says Central time, and every Mississippi area code is Central",
                hours: StateRule.everyDay(.fixed(800, 2000), except: [.sun: nil])
            ),
            StateRule(
                subdivision: "UT", name: "Utah", certainty: .uncertain,
                source: "Utah Code 13-25a-103",
                note: "uncertain for texts; the Sunday and holiday ban is lifted by prior express consent, which Herald does not model",
                hours: StateRule.everyDay(.fixed(800, 2100), except: [.sun: nil]),
                closedOnHolidays: true
            ),
            StateRule(
                subdivision: "RI", name: "Rhode Island", certainty: .uncertain,
                source: "R.I. Gen. Laws 5-61-3.6",
                note: "uncertain for texts",
                hours: StateRule.everyDay(.fixed(900, 1800), except: [.sat: .fixed(1000, 1700), .sun: nil]),
                closedOnHolidays: true
            ),
        ]
    )

    /// US federal holidays (5 U.S.C. 6103) in 2026 and 2027, with the weekday observed when one
    /// falls on a weekend: both dates are closed, since "holiday" in state rules can mean either.
    public static let federalHolidays2026Through2027: [CivilDate: String] = {
        let rows: [(String, String)] = [
            ("2026-01-01", "New Year's Day"),
            ("2026-01-19", "Birthday of Martin Luther King, Jr."),
            ("2026-02-16", "Washington's Birthday"),
            ("2026-05-25", "Memorial Day"),
            ("2026-06-19", "Juneteenth National Independence Day"),
            ("2026-07-03", "Independence Day (observed)"),
            ("2026-07-04", "Independence Day"),
            ("2026-09-07", "Labor Day"),
            ("2026-10-12", "Columbus Day"),
            ("2026-11-11", "Veterans Day"),
            ("2026-11-26", "Thanksgiving Day"),
            ("2026-12-25", "Christmas Day"),
            ("2027-01-01", "New Year's Day"),
            ("2027-01-18", "Birthday of Martin Luther King, Jr."),
            ("2027-02-15", "Washington's Birthday"),
            ("2027-05-31", "Memorial Day"),
            ("2027-06-18", "Juneteenth National Independence Day (observed)"),
            ("2027-06-19", "Juneteenth National Independence Day"),
            ("2027-07-04", "Independence Day"),
            ("2027-07-05", "Independence Day (observed)"),
            ("2027-09-06", "Labor Day"),
            ("2027-10-11", "Columbus Day"),
            ("2027-11-11", "Veterans Day"),
            ("2027-11-25", "Thanksgiving Day"),
            ("2027-12-24", "Christmas Day (observed)"),
            ("2027-12-25", "Christmas Day"),
            ("2027-12-31", "New Year's Day 2028 (observed)"),
        ]
        var table: [CivilDate: String] = [:]
        for (date, name) in rows { table[CivilDate(parsing: date)!] = name }
        return table
    }()
}
