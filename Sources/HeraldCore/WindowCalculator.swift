import Foundation

/// May a held-kind message go out at instant t, and if not, when (docs/windows.md)?
public enum WindowDecision: Sendable, Hashable {
    /// Every rule allows t.
    case allowed
    /// The earliest instant ≥ t every rule allows, and the rule that bound last: the one whose
    /// opening is that instant (on a tie, the organization window, then the state rule, then
    /// the recipient quiet hours).
    case deferred(until: Date, reason: HeldReason)
    /// No instant within `WindowCalculator.horizonDays` satisfies every rule together, e.g. an
    /// organization window open only on Sundays for a state that bars Sundays, or a 22:00–02:00
    /// window against 08:00–21:00 quiet hours. `reason` is the rule that could not be met.
    case never(reason: HeldReason)

    public var isAllowed: Bool { self == .allowed }
}

/// Where a recipient is, as far as windows care: the timezones of the number's area code and its
/// state or province.
public struct RecipientLocation: Sendable, Hashable {
    /// IANA names; every one must allow a message. Empty or unknown names fall back to the
    /// organization's timezone (and the explanation says so).
    public var timeZones: [String]
    /// "TX", "QC"…; nil when the area code covers several provinces.
    public var subdivision: String?

    public init(timeZones: [String], subdivision: String?) {
        self.timeZones = timeZones
        self.subdivision = subdivision
    }

    public init(_ number: PhoneNumber) {
        timeZones = number.timeZones
        subdivision = number.subdivision
    }
}

/// The decision with what it was based on, for events and `heraldctl window`.
public struct WindowExplanation: Sendable, Hashable {
    public var decision: WindowDecision
    /// The zones the recipient rules were checked in.
    public var recipientTimeZones: [String]
    /// True when the recipient's zone was unknown and the organization's timezone stood in for it
    /// (docs/windows.md: "the event notes it").
    public var usedOrganizationTimeZone: Bool
    /// The enabled state rule applied, if any.
    public var stateRule: StateRule?
}

/// Evaluates docs/windows.md for one message at one instant: the organization's window, the recipient
/// quiet hours in every zone of the recipient's area code, and the recipient state's rule.
///
/// Pure and exact. The allowed instants of each rule in each zone are a union of half-open
/// intervals [opening, closing) computed from local dates; the earliest instant all allow is
/// found by leaping: from t, each rule that disallows the current instant names its next opening,
/// the latest of those becomes the current instant, until every rule allows it. Each leap lands on
/// an opening, so the search is exact, and it stops after `horizonDays`.
///
/// Cheap enough to run per message at ingest and at claim: zones are transition tables cached per
/// process, dates are integer arithmetic, and nothing here touches `Calendar` or `DateFormatter`.
public struct WindowCalculator: Sendable {
    public let rules: StateRuleTable
    /// How far ahead to look before answering `.never`.
    public let horizonDays: Int

    private let quiet: DaySchedule
    private let stateSchedules: [String: DaySchedule]

    public init(rules: StateRuleTable = .shipped, horizonDays: Int = 28) {
        self.rules = rules
        self.horizonDays = max(1, horizonDays)
        quiet = DaySchedule(Array(repeating: rules.recipientHours.allowed, count: 7))
        let listedDays = Set(rules.listedHolidays.keys.map(\.daysSinceEpoch))
        var schedules: [String: DaySchedule] = [:]
        for (subdivision, rule) in rules.rules where rule.enabled {
            let closed = rule.closedOnHolidays ? listedDays.union(rule.extraHolidays.map(\.daysSinceEpoch)) : []
            schedules[subdivision] = DaySchedule(
                Weekday.allCases.map { rule.hours[$0] }, closedDays: closed,
                closedOnFederalHolidays: rule.closedOnHolidays && rules.federalHolidays
            )
        }
        stateSchedules = schedules
    }

    /// May a message of `kind` to `number` go out at `instant` under `window`? Kinds windows do
    /// not hold (conversational, system) are always allowed.
    public func evaluate(at instant: Date, window: SendingWindow, to number: PhoneNumber, kind: MessageKind) -> WindowDecision {
        evaluate(at: instant, window: window, recipient: RecipientLocation(number), kind: kind)
    }

    public func evaluate(at instant: Date, window: SendingWindow, recipient: RecipientLocation, kind: MessageKind) -> WindowDecision {
        guard kind.isHeldBySendingWindow else { return .allowed }
        var fellBack = false
        let constraints = constraints(window: window, recipient: recipient, fellBack: &fellBack)
        return search(from: instant, constraints: constraints)
    }

    /// `evaluate`, with the zones and state rule it used.
    public func explain(at instant: Date, window: SendingWindow, recipient: RecipientLocation, kind: MessageKind) -> WindowExplanation {
        var fellBack = false
        let constraints = constraints(window: window, recipient: recipient, fellBack: &fellBack)
        let zones = constraints.filter { $0.reason == .recipientQuietHours }.map(\.offsets.identifier)
        let decision = kind.isHeldBySendingWindow ? search(from: instant, constraints: constraints) : .allowed
        return WindowExplanation(
            decision: decision,
            recipientTimeZones: zones,
            usedOrganizationTimeZone: fellBack,
            stateRule: rules.rule(for: recipient.subdivision)
        )
    }

    /// Which zones stand for the recipient: its own, deduplicated, with the organization's zone in
    /// place of any the system does not know.
    public func recipientTimeZones(_ recipient: RecipientLocation, window: SendingWindow) -> (zones: [String], usedOrganizationTimeZone: Bool) {
        var fellBack = false
        let zones = resolveZones(recipient, window: window, fellBack: &fellBack).map(\.identifier)
        return (zones, fellBack)
    }

    // MARK: - Search

    private func resolveZones(_ recipient: RecipientLocation, window: SendingWindow, fellBack: inout Bool) -> [ZoneOffsets] {
        var zones: [ZoneOffsets] = []
        zones.reserveCapacity(recipient.timeZones.count)
        for identifier in recipient.timeZones {
            let zone: ZoneOffsets
            if let known = ZoneOffsets.named(identifier) {
                zone = known
            } else {
                fellBack = true
                zone = window.offsets
            }
            if !zones.contains(where: { $0 === zone }) { zones.append(zone) }
        }
        if zones.isEmpty {
            fellBack = true
            zones.append(window.offsets)
        }
        return zones
    }

    /// In tie-break order: organization window, state rule, quiet hours.
    private func constraints(window: SendingWindow, recipient: RecipientLocation, fellBack: inout Bool) -> [Constraint] {
        let zones = resolveZones(recipient, window: window, fellBack: &fellBack)
        let state = recipient.subdivision.flatMap { stateSchedules[$0] }
        var constraints: [Constraint] = []
        constraints.reserveCapacity(1 + zones.count * 2)
        constraints.append(Constraint(offsets: window.offsets, schedule: window.schedule, reason: .orgWindow))
        if let state {
            for zone in zones { constraints.append(Constraint(offsets: zone, schedule: state, reason: .stateRule)) }
        }
        for zone in zones { constraints.append(Constraint(offsets: zone, schedule: quiet, reason: .recipientQuietHours)) }
        return constraints
    }

    private func search(from instant: Date, constraints: [Constraint]) -> WindowDecision {
        let start = Int64(instant.timeIntervalSince1970.rounded(.down))
        let limit = start + Int64(horizonDays) * 86_400
        var current = start
        var reason: HeldReason?
        while true {
            var latest = current
            var binding: HeldReason?
            for constraint in constraints where !constraint.allows(current) {
                guard let opening = constraint.nextOpening(after: current, notAfter: limit) else {
                    return .never(reason: constraint.reason)
                }
                // Strictly later only: on a tie the earlier constraint (see `constraints`) keeps it.
                if opening > latest {
                    latest = opening
                    binding = constraint.reason
                }
            }
            guard let binding else {
                guard let reason else { return .allowed }
                return .deferred(until: Date(timeIntervalSince1970: Double(current)), reason: reason)
            }
            reason = binding
            current = latest
        }
    }
}

/// Hours by local date: per weekday (Monday first; nil closed), closed on listed days and,
/// when asked, on the federal holidays of whatever year the day is in (computed per day, so
/// there is no last year).
struct DaySchedule: Sendable, Hashable {
    let byWeekday: [DailyHours?]
    let closedDays: Set<Int64>
    let closedOnFederalHolidays: Bool

    init(_ byWeekday: [DailyHours?], closedDays: Set<Int64> = [], closedOnFederalHolidays: Bool = false) {
        precondition(byWeekday.count == 7)
        self.byWeekday = byWeekday
        self.closedDays = closedDays
        self.closedOnFederalHolidays = closedOnFederalHolidays
    }

    @inline(__always)
    func hours(onDay day: Int64) -> DailyHours? {
        guard let hours = byWeekday[CivilDate.isoWeekdayIndex(ofDay: day)] else { return nil }
        if !closedDays.isEmpty, closedDays.contains(day) { return nil }
        if closedOnFederalHolidays, FederalHolidays.isHoliday(day: day) { return nil }
        return hours
    }
}

/// One rule in one zone: allowed during [opening, closing) of each local day's hours.
struct Constraint {
    let offsets: ZoneOffsets
    let schedule: DaySchedule
    let reason: HeldReason

    /// The instants the hours of local day `day` (days since 1970-01-01) cover; nil when closed,
    /// or when DST squeezes them to nothing (02:00–02:30 on a spring-forward day).
    @inline(__always)
    func interval(onDay day: Int64) -> (opening: Int64, closing: Int64)? {
        guard let hours = schedule.hours(onDay: day) else { return nil }
        let openingWall = day * 86_400 + Int64(hours.start.minutesSinceMidnight) * 60
        let closingWall = (hours.crossesMidnight ? day + 1 : day) * 86_400 + Int64(hours.end.minutesSinceMidnight) * 60
        let opening = offsets.instant(atWallClock: openingWall)
        let closing = offsets.instant(atWallClock: closingWall)
        return opening < closing ? (opening, closing) : nil
    }

    func allows(_ instant: Int64) -> Bool {
        let day = ZoneOffsets.floorDivide(offsets.wallClock(at: instant), 86_400)
        if contains(instant, onDay: day) { return true }
        // The previous day's hours reach today only when they cross midnight: hours ending by
        // midnight close at or before any instant of today.
        if schedule.hours(onDay: day - 1)?.crossesMidnight == true, contains(instant, onDay: day - 1) { return true }
        // The next day's hours can reach back only across a fall-back overlap containing
        // midnight, which a few zones have (none in North America).
        return offsets.repeatsMidnight && contains(instant, onDay: day + 1)
    }

    @inline(__always)
    private func contains(_ instant: Int64, onDay day: Int64) -> Bool {
        guard let interval = interval(onDay: day) else { return false }
        return interval.opening <= instant && instant < interval.closing
    }

    /// The first opening after `instant` and not after `limit`. Openings never decrease from one
    /// local day to the next, so the first found is the earliest.
    func nextOpening(after instant: Int64, notAfter limit: Int64) -> Int64? {
        var day = ZoneOffsets.floorDivide(offsets.wallClock(at: instant), 86_400) - 1
        let lastDay = ZoneOffsets.floorDivide(offsets.wallClock(at: limit), 86_400) + 1
        while day <= lastDay {
            if let interval = interval(onDay: day), interval.opening > instant {
                return interval.opening <= limit ? interval.opening : nil
            }
            day += 1
        }
        return nil
    }
}
