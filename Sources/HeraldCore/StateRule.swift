/// A state's (or province's) own limits on when texts may reach its residents (docs/windows.md rule 3),
/// applied in the recipient's local time, in every timezone of the number's area code, on top
/// of the recipient quiet hours. Held reason when it binds: `state_rule`.
///
/// Rules are data an operator owns (`etc/herald/quiet-hours.toml`); Herald is not legal advice.
/// A number's state is its area code's state: a number keeps its area code when its owner moves,
/// so rules go by area code, as every peer does.
public struct StateRule: Sendable, Hashable {
    /// How well the rule is established, from STATE-RULES facts: `uncertain` rows rest on
    /// secondary sources or may not cover texts.
    public enum Certainty: String, Sendable, Hashable, CaseIterable {
        case certain
        case uncertain
    }

    /// A limit on how many texts one contact may receive in a period.
    ///
    /// heraldd enforces it when it claims a held-kind text: at most `messages` per organization and
    /// recipient number in any rolling `perHours`, counting every held-kind text, since Herald cannot
    /// tell subjects apart (see `WindowCalculator.evaluate(at:window:to:kind:recentSends:)`).
    public struct FrequencyCap: Sendable, Hashable, CustomStringConvertible {
        public var messages: Int
        public var perHours: Int
        /// The statute counts messages on the same subject only.
        public var sameSubject: Bool

        public init(messages: Int, perHours: Int, sameSubject: Bool) {
            self.messages = messages
            self.perHours = perHours
            self.sameSubject = sameSubject
        }

        public var description: String {
            "at most \(messages) per \(perHours) h" + (sameSubject ? " on the same subject" : "")
        }
    }

    /// Two-letter code of the area code's subdivision: a US state ("TX"), "DC", or a Canadian
    /// province ("QC"); the codes do not collide.
    public var subdivision: String
    public var name: String
    /// Disabled rules stay in the table (to be shown and switched back on) but never hold a message.
    public var enabled: Bool
    public var certainty: Certainty
    /// Where the rule comes from: statute or regulation.
    public var source: String
    /// Anything an operator should know that the fields cannot say.
    public var note: String?
    /// Allowed hours by weekday; a weekday absent here is closed all day.
    public var hours: [Weekday: DailyHours]
    /// Closed all day on the table's holidays and on `extraHolidays`.
    public var closedOnHolidays: Bool
    /// This state's own holidays, on top of the table's (only used with `closedOnHolidays`).
    public var extraHolidays: Set<CivilDate>
    /// Enforced at dispatch, per organization and recipient number (see `FrequencyCap`).
    public var frequencyCap: FrequencyCap?

    public init(
        subdivision: String,
        name: String,
        enabled: Bool = true,
        certainty: Certainty,
        source: String,
        note: String? = nil,
        hours: [Weekday: DailyHours],
        closedOnHolidays: Bool = false,
        extraHolidays: Set<CivilDate> = [],
        frequencyCap: FrequencyCap? = nil
    ) {
        self.subdivision = subdivision
        self.name = name
        self.enabled = enabled
        self.certainty = certainty
        self.source = source
        self.note = note
        self.hours = hours
        self.closedOnHolidays = closedOnHolidays
        self.extraHolidays = extraHolidays
        self.frequencyCap = frequencyCap
    }

    /// The same hours every day except those in `except` (a nil value closes that day).
    public static func everyDay(_ hours: DailyHours, except: [Weekday: DailyHours?] = [:]) -> [Weekday: DailyHours] {
        var result: [Weekday: DailyHours] = [:]
        for day in Weekday.allCases {
            if let override = except[day] {
                if let open = override { result[day] = open }
            } else {
                result[day] = hours
            }
        }
        return result
    }

    /// "Mon-Sat 09:00-21:00, Sun 12:00-21:00, closed on holidays".
    public var hoursDescription: String {
        var groups: [(first: Weekday, last: Weekday, hours: DailyHours?)] = []
        for day in Weekday.allCases {
            let today = hours[day]
            if let last = groups.last, last.hours == today {
                groups[groups.count - 1].last = day
            } else {
                groups.append((day, day, today))
            }
        }
        var parts: [String] = []
        if groups.count == 1, let only = groups[0].hours {
            parts.append("every day \(only)")
        } else {
            for group in groups {
                let days = group.first == group.last ? group.first.shortName : "\(group.first.shortName)-\(group.last.shortName)"
                parts.append("\(days) \(group.hours.map(\.description) ?? "closed")")
            }
        }
        if closedOnHolidays { parts.append("closed on holidays") }
        return parts.joined(separator: ", ")
    }
}
