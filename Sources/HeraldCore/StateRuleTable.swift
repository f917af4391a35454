/// Everything docs/windows.md rules 2 and 3 need besides the organization's window: the recipient quiet
/// hours every number gets, the holidays, and the state rules by subdivision. What
/// `etc/herald/quiet-hours.toml` holds; `shipped` is the same table built in, so heraldd works
/// without the file (a test checks that the two agree).
public struct StateRuleTable: Sendable, Hashable {
    /// Quiet hours for every US and Canadian recipient (`recipient_quiet_hours`).
    public var recipientHours: QuietHours
    /// Whether the US federal holidays and their observed days, computed for every year by
    /// `FederalHolidays`, close rules with `closedOnHolidays` (`federal_holidays`, default true).
    public var federalHolidays: Bool
    /// Further dates on which rules with `closedOnHolidays` are closed, in the recipient's local
    /// calendar, with their names (`[holidays]`): added to the federal ones, and where a date is
    /// both, this name is the one shown.
    public var listedHolidays: [CivilDate: String]
    /// By subdivision code ("TX"); disabled rules included.
    public var rules: [String: StateRule]

    public init(
        recipientHours: QuietHours = .federal,
        federalHolidays: Bool = true,
        listedHolidays: [CivilDate: String] = [:],
        rules: [StateRule] = []
    ) {
        self.recipientHours = recipientHours
        self.federalHolidays = federalHolidays
        self.listedHolidays = listedHolidays
        self.rules = Dictionary(rules.map { ($0.subdivision, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The enabled rule for a subdivision, if any.
    public func rule(for subdivision: String?) -> StateRule? {
        guard let subdivision, let rule = rules[subdivision], rule.enabled else { return nil }
        return rule
    }

    /// The name of the holiday on `date` (a local date) for rules with `closedOnHolidays`, nil
    /// when it is none: a listed date, else a federal holiday or observed day. Any year: nothing
    /// here runs out. A state's own `extraHolidays` are not included.
    public func holiday(on date: CivilDate) -> String? {
        if let listed = listedHolidays[date] { return listed }
        return federalHolidays ? FederalHolidays.name(on: date) : nil
    }

    /// No state rules and the federal quiet hours: what a table means when a state is left out.
    public static let federalOnly = StateRuleTable()

    /// The table shipped as `etc/herald/quiet-hours.toml` (facts gathered November 2026; see
    /// that file for sources and certainty). Uncertain rules ship enabled: a wrong rule costs a
    /// delay, a missing one can cost a violation.
    public static let shipped = StateRuleTable(
        recipientHours: .federal,
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
}
