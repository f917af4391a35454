import Foundation
import Testing

@testable import HeraldCore

/// One hand-checked question to the window rules (docs/windows.md), answered by hand in the comment
/// next to it. Written the way `heraldctl window` is asked, so each row can be replayed there.
struct WindowCase: Sendable, CustomTestStringConvertible {
    var name: String
    /// "08:00-16:00 America/Chicago", optionally followed by days: "... mon,tue".
    var window: String
    /// A phone number as typed, or "zone:Asia/Tokyo" for a recipient somewhere quiet hours
    /// allow, to look at the organization window alone.
    var to: String
    /// ISO 8601 with offset.
    var at: String
    /// "allowed", "never", "never <reason>", or "<ISO 8601 in the org's offset> <reason>".
    var expected: String
    var kind: MessageKind = .bulk

    var testDescription: String { name }
}

private func c(_ name: String, _ window: String, _ to: String, _ at: String, _ expected: String, kind: MessageKind = .bulk) -> WindowCase {
    WindowCase(name: name, window: window, to: to, at: at, expected: expected, kind: kind)
}

/// "08:00-16:00 America/Chicago mon,fri" → a window.
private func parseWindow(_ text: String) throws -> SendingWindow {
    let fields = text.split(separator: " ").map(String.init)
    let hours = try #require(DailyHours(parsing: fields[0]), "hours in \(text)")
    let days = fields.count > 2 ? Set(fields[2].split(separator: ",").compactMap { Weekday(rawValue: String($0)) }) : Set(Weekday.allCases)
    return try SendingWindow(hours: hours, days: days, timeZone: fields[1])
}

private func recipient(_ text: String) throws -> RecipientLocation {
    if text.hasPrefix("zone:") { return RecipientLocation(timeZones: [String(text.dropFirst(5))], subdivision: nil) }
    return RecipientLocation(try PhoneNumber.parse(text).get())
}

private let chicago = "08:00-16:00 America/Chicago"
private let nationwide = "10:00-19:00 America/Chicago"
private let wide = "06:00-22:00 America/Chicago"
private let always = "00:00-23:59 America/Chicago"

// Calendar used below: 2026-11-21 is a Saturday, 22 Sunday, 23 Monday, 26 Thursday (Thanksgiving).
// Offsets: Chicago CST -06:00 / CDT -05:00; US DST 2026 starts Sun 8 March 02:00 local and ends
// Sun 1 November 02:00 local. Honolulu -10:00 all year; Phoenix -07:00 all year.
let handCheckedWindowCases: [WindowCase] = [
    // A. Default window 08:00-16:00 Central, Minneapolis recipient (Central, no state rule).
    c("A1 inside", chicago, "+1 612 555 0123", "2026-11-23T10:00:00-06:00", "allowed"),
    c("A2 a second before the start", chicago, "+1 612 555 0123", "2026-11-23T07:59:59-06:00", "2026-11-23T08:00:00-06:00 org_window"),
    c("A3 start is included", chicago, "+1 612 555 0123", "2026-11-23T08:00:00-06:00", "allowed"),
    c("A4 last second", chicago, "+1 612 555 0123", "2026-11-23T15:59:59-06:00", "allowed"),
    c("A5 end is excluded", chicago, "+1 612 555 0123", "2026-11-23T16:00:00-06:00", "2026-11-24T08:00:00-06:00 org_window"),
    // Org window and quiet hours both open at 08:00: the tie goes to the org window.
    c("A6 evening, tie at 08:00", chicago, "+1 612 555 0123", "2026-11-23T21:30:00-06:00", "2026-11-24T08:00:00-06:00 org_window"),
    c("A7 after midnight", chicago, "+1 612 555 0123", "2026-11-23T00:30:00-06:00", "2026-11-23T08:00:00-06:00 org_window"),
    c("A8 conversational is never held", chicago, "+1 612 555 0123", "2026-11-23T23:00:00-06:00", "allowed", kind: .conversational),
    c("A9 system is never held", chicago, "+1 612 555 0123", "2026-11-23T03:00:00-06:00", "allowed", kind: .system),
    c("A10 journey is held", chicago, "+1 612 555 0123", "2026-11-23T03:00:00-06:00", "2026-11-23T08:00:00-06:00 org_window", kind: .journey),
    c("A11 opt-in request is held", chicago, "+1 612 555 0123", "2026-11-23T17:00:00-06:00", "2026-11-24T08:00:00-06:00 org_window", kind: .optInRequest),
    c("A12 fractional seconds before the start", chicago, "+1 612 555 0123", "2026-11-23T07:59:59.500-06:00", "2026-11-23T08:00:00-06:00 org_window"),

    // B. Recipient quiet hours bind. Org 06:00-22:00 Central.
    // 06:30 CST is 07:30 EST; New York opens 08:00 EST = 07:00 CST.
    c("B1 NY before 08:00", wide, "+1 212 555 0123", "2026-11-23T06:30:00-06:00", "2026-11-23T07:00:00-06:00 recipient_quiet_hours"),
    // 20:30 CST is 21:30 EST: quiet until 08:00 EST next day.
    c("B2 NY after 21:00", wide, "+1 212 555 0123", "2026-11-23T20:30:00-06:00", "2026-11-24T07:00:00-06:00 recipient_quiet_hours"),
    c("B3 NY 20:59 EST", wide, "+1 212 555 0123", "2026-11-23T19:59:00-06:00", "allowed"),
    c("B4 NY 21:00 EST excluded", wide, "+1 212 555 0123", "2026-11-23T20:00:00-06:00", "2026-11-24T07:00:00-06:00 recipient_quiet_hours"),
    // 06:30 CST is 04:30 PST; Los Angeles opens 08:00 PST = 10:00 CST.
    c("B5 LA early", wide, "+1 213 555 0123", "2026-11-23T06:30:00-06:00", "2026-11-23T10:00:00-06:00 recipient_quiet_hours"),
    c("B6 LA 19:59 PST, org 21:59 CST", wide, "+1 213 555 0123", "2026-11-23T21:59:00-06:00", "allowed"),
    // Org closed at 22:00; reopens 06:00 CST = 04:00 PST; LA opens 10:00 CST.
    c("B7 LA org closed then quiet", wide, "+1 213 555 0123", "2026-11-23T22:00:00-06:00", "2026-11-24T10:00:00-06:00 recipient_quiet_hours"),

    // C. A window crossing midnight, 22:00-02:00 Central. Honolulu is 4 h behind CST in November:
    // the window is 18:00-22:00 HST, quiet hours end 21:00 HST, so 22:00-01:00 CST is allowed.
    c("C1 crossing window, evening", "22:00-02:00 America/Chicago", "+1 808 555 0123", "2026-11-23T23:00:00-06:00", "allowed"),
    c("C2 crossing window, after midnight", "22:00-02:00 America/Chicago", "+1 808 555 0123", "2026-11-24T00:30:00-06:00", "allowed"),
    // 01:00 CST = 21:00 HST: quiet until 08:00 HST (12:00 CST), then the org window opens 22:00.
    c("C3 crossing window, Honolulu quiet", "22:00-02:00 America/Chicago", "+1 808 555 0123", "2026-11-24T01:00:00-06:00", "2026-11-24T22:00:00-06:00 org_window"),
    c("C4 crossing window opens", "22:00-02:00 America/Chicago", "+1 808 555 0123", "2026-11-23T21:59:00-06:00", "2026-11-23T22:00:00-06:00 org_window"),
    c("C5 crossing window never meets Central quiet hours", "22:00-02:00 America/Chicago", "+1 612 555 0123", "2026-11-23T10:00:00-06:00", "never"),
    // Days name the day the window opens: Friday 22:00 to Saturday 02:00.
    c("C6 crossing window opened Friday", "22:00-02:00 America/Chicago fri", "+1 808 555 0123", "2026-11-28T00:30:00-06:00", "allowed"),
    c("C7 crossing window, Saturday is not a day", "22:00-02:00 America/Chicago fri", "+1 808 555 0123", "2026-11-28T23:00:00-06:00", "2026-12-04T22:00:00-06:00 org_window"),
    c("C8 crossing window, Thursday night", "22:00-02:00 America/Chicago fri", "+1 808 555 0123", "2026-11-26T23:00:00-06:00", "2026-11-27T22:00:00-06:00 org_window"),
    c("C9 crossing window in Tokyo terms", "22:00-02:00 America/Chicago", "zone:Asia/Tokyo", "2026-11-24T01:59:59-06:00", "allowed"),

    // D. Weekdays.
    c("D1 Saturday to Monday", "08:00-16:00 America/Chicago mon,tue,wed,thu,fri", "+1 612 555 0123", "2026-11-28T10:00:00-06:00", "2026-11-30T08:00:00-06:00 org_window"),
    c("D2 Friday after hours", "08:00-16:00 America/Chicago mon,tue,wed,thu,fri", "+1 612 555 0123", "2026-11-27T16:00:00-06:00", "2026-11-30T08:00:00-06:00 org_window"),
    c("D3 Friday inside", "08:00-16:00 America/Chicago mon,tue,wed,thu,fri", "+1 612 555 0123", "2026-11-27T15:00:00-06:00", "allowed"),
    c("D4 Sunday morning", "08:00-16:00 America/Chicago mon,tue,wed,thu,fri", "+1 612 555 0123", "2026-11-29T07:00:00-06:00", "2026-11-30T08:00:00-06:00 org_window"),
    c("D5 Wednesdays only", "08:00-16:00 America/Chicago wed", "+1 612 555 0123", "2026-11-25T16:30:00-06:00", "2026-12-02T08:00:00-06:00 org_window"),
    c("D6 weekends only", "08:00-16:00 America/Chicago sat,sun", "+1 612 555 0123", "2026-11-27T09:00:00-06:00", "2026-11-28T08:00:00-06:00 org_window"),

    // E. Texas: Mon-Sat 09:00-21:00, Sun 12:00-21:00 (Central).
    c("E1 Texas weekday 08:30", chicago, "+1 512 555 0123", "2026-11-23T08:30:00-06:00", "2026-11-23T09:00:00-06:00 state_rule"),
    c("E2 Texas weekday 09:00", chicago, "+1 512 555 0123", "2026-11-23T09:00:00-06:00", "allowed"),
    c("E3 Texas Sunday 10:00", chicago, "+1 512 555 0123", "2026-11-22T10:00:00-06:00", "2026-11-22T12:00:00-06:00 state_rule"),
    c("E4 Texas Sunday 12:00", chicago, "+1 512 555 0123", "2026-11-22T12:00:00-06:00", "allowed"),
    c("E5 Texas Sunday 11:59:59", chicago, "+1 512 555 0123", "2026-11-22T11:59:59-06:00", "2026-11-22T12:00:00-06:00 state_rule"),
    c("E6 Texas Saturday after hours", chicago, "+1 512 555 0123", "2026-11-21T16:30:00-06:00", "2026-11-22T12:00:00-06:00 state_rule"),
    c("E7 Texas Monday after hours", chicago, "+1 512 555 0123", "2026-11-23T16:30:00-06:00", "2026-11-24T09:00:00-06:00 state_rule"),
    c("E8 Texas Sunday, org opens later", "13:00-20:00 America/Chicago", "+1 512 555 0123", "2026-11-22T12:30:00-06:00", "2026-11-22T13:00:00-06:00 org_window"),
    c("E9 Texas Saturday 21:00", always, "+1 512 555 0123", "2026-11-21T21:00:00-06:00", "2026-11-22T12:00:00-06:00 state_rule"),
    c("E10 Texas Sunday 21:00", always, "+1 512 555 0123", "2026-11-22T21:00:00-06:00", "2026-11-23T09:00:00-06:00 state_rule"),
    c("E11 Houston Sunday", nationwide, "+1 713 555 0123", "2026-11-22T10:00:00-06:00", "2026-11-22T12:00:00-06:00 state_rule"),
    c("E12 Texas conversational Sunday", chicago, "+1 512 555 0123", "2026-11-22T07:00:00-06:00", "allowed", kind: .conversational),

    // F. Florida 08:00-20:00 (uncertain, shipped enabled); 305 is Eastern.
    c("F1 Florida 19:30 EST", nationwide, "+1 305 555 0123", "2026-11-23T18:30:00-06:00", "allowed"),
    c("F2 Florida, org and state close together", nationwide, "+1 305 555 0123", "2026-11-23T19:00:00-06:00", "2026-11-24T10:00:00-06:00 org_window"),
    c("F3 Florida 20:30 EST", wide, "+1 305 555 0123", "2026-11-23T19:30:00-06:00", "2026-11-24T07:00:00-06:00 state_rule"),
    // 21:30 EST: the state rule and the quiet hours both open at 08:00 EST; the tie goes to the state rule.
    c("F4 Florida 21:30 EST, tie", wide, "+1 305 555 0123", "2026-11-23T20:30:00-06:00", "2026-11-24T07:00:00-06:00 state_rule"),
    // 850 spans Eastern and Central: the rule must hold in both.
    c("F5 850 morning", wide, "+1 850 555 0123", "2026-11-23T06:30:00-06:00", "2026-11-23T08:00:00-06:00 state_rule"),
    c("F6 850 evening", wide, "+1 850 555 0123", "2026-11-23T19:00:00-06:00", "2026-11-24T08:00:00-06:00 state_rule"),
    c("F7 850 18:59 CST", wide, "+1 850 555 0123", "2026-11-23T18:59:00-06:00", "allowed"),

    // G. Hawaii: HST -10, 4 h behind CST, 5 h behind CDT.
    c("G1 Hawaii 06:00 HST", chicago, "+1 808 555 0123", "2026-11-23T10:00:00-06:00", "2026-11-23T12:00:00-06:00 recipient_quiet_hours"),
    c("G2 Hawaii 08:00 HST", chicago, "+1 808 555 0123", "2026-11-23T12:00:00-06:00", "allowed"),
    c("G3 Hawaii, org last minute", chicago, "+1 808 555 0123", "2026-11-23T15:59:00-06:00", "allowed"),
    c("G4 Hawaii, org closed then quiet", chicago, "+1 808 555 0123", "2026-11-23T16:00:00-06:00", "2026-11-24T12:00:00-06:00 recipient_quiet_hours"),
    c("G5 Hawaii in July", chicago, "+1 808 555 0123", "2026-07-13T10:00:00-05:00", "2026-07-13T13:00:00-05:00 recipient_quiet_hours"),
    c("G6 Hawaii on the spring-forward Sunday", chicago, "+1 808 555 0123", "2026-03-08T10:00:00-05:00", "2026-03-08T13:00:00-05:00 recipient_quiet_hours"),
    c("G7 Hawaii the day before", chicago, "+1 808 555 0123", "2026-03-07T10:00:00-06:00", "2026-03-07T12:00:00-06:00 recipient_quiet_hours"),

    // H. Alaska, 907: Adak, Anchorage, Juneau and Honolulu must all allow it.
    // November: 08:00 HST (Adak, Honolulu) = 18:00Z = 12:00 CST is the latest opening.
    c("H1 Alaska before noon Central", chicago, "+1 907 555 0123", "2026-11-23T11:00:00-06:00", "2026-11-23T12:00:00-06:00 recipient_quiet_hours"),
    c("H2 Alaska 13:00 Central", chicago, "+1 907 555 0123", "2026-11-23T13:00:00-06:00", "allowed"),
    // July: Honolulu 08:00 = 18:00Z = 13:00 CDT opens last; Anchorage 21:00 AKDT = 05:00Z closes first.
    c("H3 Alaska July morning", "08:00-23:00 America/Chicago", "+1 907 555 0123", "2026-07-13T12:00:00-05:00", "2026-07-13T13:00:00-05:00 recipient_quiet_hours"),
    c("H4 Alaska July evening", "08:00-23:00 America/Chicago", "+1 907 555 0123", "2026-07-13T22:30:00-05:00", "allowed"),
    c("H5 Alaska July midnight", always, "+1 907 555 0123", "2026-07-14T00:00:00-05:00", "2026-07-14T13:00:00-05:00 recipient_quiet_hours"),

    // I. Newfoundland, 709: Halifax (AST -4) and St. John's (NST -3:30).
    c("I1 709 before Halifax 08:00", always, "+1 709 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T06:00:00-06:00 recipient_quiet_hours"),
    // 18:30 CST = 00:30Z = 21:00 NST: St. John's closes first; Halifax opens last next morning.
    c("I2 709 St. John's 21:00", always, "+1 709 555 0123", "2026-11-23T18:30:00-06:00", "2026-11-24T06:00:00-06:00 recipient_quiet_hours"),
    c("I3 709 St. John's 20:59", always, "+1 709 555 0123", "2026-11-23T18:29:00-06:00", "allowed"),
    c("I4 org in St. John's, half-hour offset", "08:00-16:00 America/St_Johns", "+1 709 555 0123", "2026-11-23T07:45:00-03:30", "2026-11-23T08:30:00-03:30 recipient_quiet_hours"),
    c("I5 org in St. John's, summer", "08:00-16:00 America/St_Johns", "+1 709 555 0123", "2026-07-13T07:45:00-02:30", "2026-07-13T08:30:00-02:30 recipient_quiet_hours"),
    c("I6 org in St. John's, Chicago recipient", "08:00-16:00 America/St_Johns", "+1 612 555 0123", "2026-11-23T10:00:00-03:30", "2026-11-23T10:30:00-03:30 recipient_quiet_hours"),

    // J. Spring forward, Sunday 8 March 2026: 02:00 CST jumps to 03:00 CDT (08:00Z).
    // A start at 02:30 that day is in the gap: it starts at 03:00 CDT.
    c("J1 start in the gap", "02:30-10:00 America/Chicago", "zone:Asia/Tokyo", "2026-03-08T01:00:00-06:00", "2026-03-08T03:00:00-05:00 org_window"),
    c("J2 first valid instant is allowed", "02:30-10:00 America/Chicago", "zone:Asia/Tokyo", "2026-03-08T03:00:00-05:00", "allowed"),
    c("J3 last second before the jump", "02:30-10:00 America/Chicago", "zone:Asia/Tokyo", "2026-03-08T01:59:59-06:00", "2026-03-08T03:00:00-05:00 org_window"),
    c("J4 the day before: 02:30 CST", "02:30-10:00 America/Chicago", "zone:Asia/Tokyo", "2026-03-07T01:00:00-06:00", "2026-03-07T02:30:00-06:00 org_window"),
    c("J5 the day after: 02:30 CDT", "02:30-10:00 America/Chicago", "zone:Asia/Tokyo", "2026-03-09T01:00:00-05:00", "2026-03-09T02:30:00-05:00 org_window"),
    c("J6 08:00 CDT on the short day", chicago, "+1 612 555 0123", "2026-03-08T01:30:00-06:00", "2026-03-08T08:00:00-05:00 org_window"),
    c("J7 Saturday evening to the short Sunday", chicago, "+1 612 555 0123", "2026-03-07T16:30:00-06:00", "2026-03-08T08:00:00-05:00 org_window"),
    c("J8 New York recipient on the short day", chicago, "+1 212 555 0123", "2026-03-08T07:30:00-05:00", "2026-03-08T08:00:00-05:00 org_window"),
    // Window 20:00-02:30 opened Saturday closes in the gap, at 03:00 CDT.
    c("J9 end in the gap is excluded", "20:00-02:30 America/Chicago", "zone:Asia/Tokyo", "2026-03-08T03:00:00-05:00", "2026-03-08T20:00:00-05:00 org_window"),
    c("J10 before the gap, inside", "20:00-02:30 America/Chicago", "zone:Asia/Tokyo", "2026-03-08T01:59:59-06:00", "allowed"),
    c("J11 a window wholly in the gap is empty that day", "02:00-03:00 America/Chicago", "zone:Asia/Tokyo", "2026-03-08T01:00:00-06:00", "2026-03-09T02:00:00-05:00 org_window"),
    c("J12 Texas on the short Sunday", always, "+1 512 555 0123", "2026-03-08T01:30:00-06:00", "2026-03-08T12:00:00-05:00 state_rule"),

    // K. Fall back, Sunday 1 November 2026: 02:00 CDT returns to 01:00 CST (07:00Z);
    // 01:00-02:00 happens twice. An ambiguous time means its first occurrence (CDT).
    c("K1 start in the overlap: first occurrence", "01:30-10:00 America/Chicago", "zone:Asia/Tokyo", "2026-11-01T00:00:00-05:00", "2026-11-01T01:30:00-05:00 org_window"),
    c("K2 second 01:45 is inside", "01:30-10:00 America/Chicago", "zone:Asia/Tokyo", "2026-11-01T01:45:00-06:00", "allowed"),
    c("K3 second 01:15 is inside (after the first 01:30)", "01:30-10:00 America/Chicago", "zone:Asia/Tokyo", "2026-11-01T01:15:00-06:00", "allowed"),
    c("K4 end in the overlap: closed at the first 01:30", "00:00-01:30 America/Chicago", "zone:Asia/Tokyo", "2026-11-01T01:15:00-06:00", "2026-11-02T00:00:00-06:00 org_window"),
    c("K5 first 01:15 is inside", "00:00-01:30 America/Chicago", "zone:Asia/Tokyo", "2026-11-01T01:15:00-05:00", "allowed"),
    c("K6 Saturday evening to the long Sunday", chicago, "+1 612 555 0123", "2026-10-31T16:30:00-05:00", "2026-11-01T08:00:00-06:00 org_window"),
    c("K7 in the second 01:30", chicago, "+1 612 555 0123", "2026-11-01T01:30:00-06:00", "2026-11-01T08:00:00-06:00 org_window"),
    c("K8 Los Angeles on the long Sunday", chicago, "+1 213 555 0123", "2026-11-01T08:00:00-06:00", "2026-11-01T10:00:00-06:00 recipient_quiet_hours"),
    c("K9 Los Angeles the day before", chicago, "+1 213 555 0123", "2026-10-31T08:00:00-05:00", "2026-10-31T10:00:00-05:00 recipient_quiet_hours"),
    c("K10 Arizona in November", chicago, "+1 602 555 0123", "2026-11-23T08:00:00-06:00", "2026-11-23T09:00:00-06:00 recipient_quiet_hours"),
    c("K11 Arizona in July", chicago, "+1 602 555 0123", "2026-07-13T08:00:00-05:00", "2026-07-13T10:00:00-05:00 recipient_quiet_hours"),
    c("K12 crossing window over the long night", "22:00-02:00 America/Chicago", "zone:Asia/Tokyo", "2026-11-01T01:59:00-06:00", "allowed"),

    // L. Rhode Island: Mon-Fri 09:00-18:00, Sat 10:00-17:00, no Sundays or holidays (Eastern).
    c("L1 RI Saturday 09:30 EST", chicago, "+1 401 555 0123", "2026-11-21T08:30:00-06:00", "2026-11-21T09:00:00-06:00 state_rule"),
    c("L2 RI Saturday 16:59 EST", chicago, "+1 401 555 0123", "2026-11-21T15:59:00-06:00", "allowed"),
    c("L3 RI Saturday close to Monday", chicago, "+1 401 555 0123", "2026-11-21T16:00:00-06:00", "2026-11-23T08:00:00-06:00 state_rule"),
    c("L4 RI Sunday", chicago, "+1 401 555 0123", "2026-11-22T10:00:00-06:00", "2026-11-23T08:00:00-06:00 state_rule"),
    c("L5 RI Monday, tie with the org window", chicago, "+1 401 555 0123", "2026-11-23T07:30:00-06:00", "2026-11-23T08:00:00-06:00 org_window"),
    c("L6 RI Thanksgiving", chicago, "+1 401 555 0123", "2026-11-26T10:00:00-06:00", "2026-11-27T08:00:00-06:00 state_rule"),
    c("L7 RI Friday to Saturday 10:00 EST", chicago, "+1 401 555 0123", "2026-11-27T16:00:00-06:00", "2026-11-28T09:00:00-06:00 state_rule"),
    c("L8 RI weekday 18:00 EST", wide, "+1 401 555 0123", "2026-11-23T17:00:00-06:00", "2026-11-24T08:00:00-06:00 state_rule"),
    c("L9 RI Christmas Friday", wide, "+1 401 555 0123", "2026-12-24T17:30:00-06:00", "2026-12-26T09:00:00-06:00 state_rule"),
    c("L10 RI Independence Day, observed and actual", "06:00-22:00 America/New_York", "+1 401 555 0123", "2026-07-02T18:00:00-04:00", "2026-07-06T09:00:00-04:00 state_rule"),

    // M. The other states.
    c("M1 Connecticut 09:00 EST", wide, "+1 203 555 0123", "2026-11-23T07:30:00-06:00", "2026-11-23T08:00:00-06:00 state_rule"),
    c("M2 Connecticut 20:00 EST", wide, "+1 203 555 0123", "2026-11-23T19:00:00-06:00", "2026-11-24T08:00:00-06:00 state_rule"),
    c("M3 Oklahoma 20:00", wide, "+1 405 555 0123", "2026-11-23T20:00:00-06:00", "2026-11-24T08:00:00-06:00 state_rule"),
    c("M4 Oklahoma 21:00, tie with quiet hours", wide, "+1 405 555 0123", "2026-11-23T21:00:00-06:00", "2026-11-24T08:00:00-06:00 state_rule"),
    c("M5 Maryland 20:00 EST", wide, "+1 410 555 0123", "2026-11-23T19:00:00-06:00", "2026-11-24T07:00:00-06:00 state_rule"),
    c("M6 Virginia 21:00 EST", wide, "+1 804 555 0123", "2026-11-23T20:00:00-06:00", "2026-11-24T07:00:00-06:00 state_rule"),
    c("M7 Washington 20:00 PST", always, "+1 206 555 0123", "2026-11-23T22:00:00-06:00", "2026-11-24T10:00:00-06:00 state_rule"),
    c("M8 Alabama Saturday night to Monday", wide, "+1 205 555 0123", "2026-11-21T20:00:00-06:00", "2026-11-23T08:00:00-06:00 state_rule"),
    c("M9 Alabama Thanksgiving", wide, "+1 205 555 0123", "2026-11-25T20:30:00-06:00", "2026-11-27T08:00:00-06:00 state_rule"),
    c("M10 Louisiana Sunday", wide, "+1 504 555 0123", "2026-11-22T10:00:00-06:00", "2026-11-23T08:00:00-06:00 state_rule"),
    c("M11 Mississippi Sunday", wide, "+1 601 555 0123", "2026-11-22T09:00:00-06:00", "2026-11-23T08:00:00-06:00 state_rule"),
    c("M12 Mississippi holidays are not closed", wide, "+1 601 555 0123", "2026-11-26T10:00:00-06:00", "allowed"),
    c("M13 Utah Saturday 20:30 MST", wide, "+1 801 555 0123", "2026-11-21T21:30:00-06:00", "allowed"),
    c("M14 Utah Sunday", wide, "+1 801 555 0123", "2026-11-22T10:00:00-06:00", "2026-11-23T09:00:00-06:00 state_rule"),
    c("M15 Utah New Year's Day", wide, "+1 801 555 0123", "2027-01-01T12:00:00-06:00", "2027-01-02T09:00:00-06:00 state_rule"),
    c("M16 Quebec has no rule", chicago, "+1 514 555 0123", "2026-11-23T07:30:00-06:00", "2026-11-23T08:00:00-06:00 org_window"),
    c("M17 Louisiana Labor Day", wide, "+1 504 555 0123", "2026-09-07T10:00:00-05:00", "2026-09-08T08:00:00-05:00 state_rule"),
    c("M18 Alabama on MLK Day 2028, past the old holiday list", wide, "+1 205 555 0123", "2028-01-17T10:00:00-06:00", "2028-01-18T08:00:00-06:00 state_rule"),
    c("M19 Texas Monday evening 20:59", always, "+1 214 555 0123", "2026-11-23T20:59:00-06:00", "allowed"),
    c("M20 Connecticut in July", "06:00-22:00 America/New_York", "+1 203 555 0123", "2026-07-13T20:00:00-04:00", "2026-07-14T09:00:00-04:00 state_rule"),

    // N. Every multi-zone area code, at 11:00Z on Monday 23 November (05:00 CST): every NANP zone
    // is before 08:00, so the answer is 08:00 in the code's westernmost zone.
    c("N208 ID Los Angeles/Boise/Denver", always, "+1 208 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T10:00:00-06:00 recipient_quiet_hours"),
    c("N219 IN New York/Chicago", always, "+1 219 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T08:00:00-06:00 recipient_quiet_hours"),
    c("N250 BC Vancouver/Edmonton", always, "+1 250 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T10:00:00-06:00 recipient_quiet_hours"),
    c("N270 KY New York/Chicago", always, "+1 270 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T08:00:00-06:00 recipient_quiet_hours"),
    c("N308 NE Chicago/Denver", always, "+1 308 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T09:00:00-06:00 recipient_quiet_hours"),
    c("N418 QC Toronto/Halifax", always, "+1 418 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T07:00:00-06:00 recipient_quiet_hours"),
    c("N423 TN Chicago/New York", always, "+1 423 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T08:00:00-06:00 recipient_quiet_hours"),
    c("N541 OR Los Angeles/Denver", always, "+1 541 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T10:00:00-06:00 recipient_quiet_hours"),
    c("N574 IN New York/Chicago", always, "+1 574 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T08:00:00-06:00 recipient_quiet_hours"),
    c("N605 SD Denver/North Dakota/Chicago", always, "+1 605 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T09:00:00-06:00 recipient_quiet_hours"),
    c("N606 KY New York/Chicago", always, "+1 606 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T08:00:00-06:00 recipient_quiet_hours"),
    c("N620 KS Chicago/Denver", always, "+1 620 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T09:00:00-06:00 recipient_quiet_hours"),
    c("N701 ND Denver/North Dakota/Chicago", always, "+1 701 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T09:00:00-06:00 recipient_quiet_hours"),
    c("N709 NL Halifax/St. John's", always, "+1 709 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T06:00:00-06:00 recipient_quiet_hours"),
    c("N775 NV Los Angeles/Boise/Denver", always, "+1 775 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T10:00:00-06:00 recipient_quiet_hours"),
    c("N785 KS Chicago/Denver", always, "+1 785 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T09:00:00-06:00 recipient_quiet_hours"),
    c("N807 ON Toronto/Winnipeg", always, "+1 807 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T08:00:00-06:00 recipient_quiet_hours"),
    c("N812 IN New York/Chicago", always, "+1 812 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T08:00:00-06:00 recipient_quiet_hours"),
    c("N850 FL New York/Chicago, state rule ties", always, "+1 850 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T08:00:00-06:00 state_rule"),
    c("N867 territories, five zones", always, "+1 867 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T10:00:00-06:00 recipient_quiet_hours"),
    c("N879 NL Halifax/St. John's", always, "+1 879 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T06:00:00-06:00 recipient_quiet_hours"),
    c("N906 MI New York/Chicago", always, "+1 906 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T08:00:00-06:00 recipient_quiet_hours"),
    c("N907 AK Adak/Anchorage/Juneau/Honolulu", always, "+1 907 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T12:00:00-06:00 recipient_quiet_hours"),
    c("N928 AZ Phoenix/Denver", always, "+1 928 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T09:00:00-06:00 recipient_quiet_hours"),
    c("N986 ID Boise/Los Angeles", always, "+1 986 555 0123", "2026-11-23T05:00:00-06:00", "2026-11-23T10:00:00-06:00 recipient_quiet_hours"),

    // O. Every multi-zone area code at 02:00Z on Tuesday 14 July (21:00 CDT Monday), summer time:
    // New York, Toronto, Chicago, Winnipeg and Halifax have closed at 21:00; the Mountain and
    // Pacific zones are still open. A code wholly west is allowed; otherwise 08:00 next day in its
    // westernmost zone (Arizona and Fort Nelson keep MST, -07:00, all year).
    c("O208 ID all open", always, "+1 208 555 0123", "2026-07-13T21:00:00-05:00", "allowed"),
    c("O219 IN", always, "+1 219 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T08:00:00-05:00 recipient_quiet_hours"),
    c("O250 BC all open", always, "+1 250 555 0123", "2026-07-13T21:00:00-05:00", "allowed"),
    c("O270 KY", always, "+1 270 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T08:00:00-05:00 recipient_quiet_hours"),
    c("O308 NE: Chicago closed, Denver opens last", always, "+1 308 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T09:00:00-05:00 recipient_quiet_hours"),
    c("O418 QC", always, "+1 418 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T07:00:00-05:00 recipient_quiet_hours"),
    c("O423 TN", always, "+1 423 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T08:00:00-05:00 recipient_quiet_hours"),
    c("O541 OR all open", always, "+1 541 555 0123", "2026-07-13T21:00:00-05:00", "allowed"),
    c("O574 IN", always, "+1 574 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T08:00:00-05:00 recipient_quiet_hours"),
    c("O605 SD", always, "+1 605 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T09:00:00-05:00 recipient_quiet_hours"),
    c("O606 KY", always, "+1 606 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T08:00:00-05:00 recipient_quiet_hours"),
    c("O620 KS", always, "+1 620 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T09:00:00-05:00 recipient_quiet_hours"),
    c("O701 ND", always, "+1 701 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T09:00:00-05:00 recipient_quiet_hours"),
    c("O709 NL: 08:00 ADT is 11:00Z", always, "+1 709 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T06:00:00-05:00 recipient_quiet_hours"),
    c("O775 NV all open", always, "+1 775 555 0123", "2026-07-13T21:00:00-05:00", "allowed"),
    c("O785 KS", always, "+1 785 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T09:00:00-05:00 recipient_quiet_hours"),
    c("O807 ON", always, "+1 807 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T08:00:00-05:00 recipient_quiet_hours"),
    c("O812 IN", always, "+1 812 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T08:00:00-05:00 recipient_quiet_hours"),
    c("O850 FL", always, "+1 850 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T08:00:00-05:00 state_rule"),
    c("O867 territories: Vancouver and Fort Nelson open last", always, "+1 867 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T10:00:00-05:00 recipient_quiet_hours"),
    c("O879 NL", always, "+1 879 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T06:00:00-05:00 recipient_quiet_hours"),
    c("O906 MI", always, "+1 906 555 0123", "2026-07-13T21:00:00-05:00", "2026-07-14T08:00:00-05:00 recipient_quiet_hours"),
    c("O907 AK all open", always, "+1 907 555 0123", "2026-07-13T21:00:00-05:00", "allowed"),
    c("O928 AZ all open", always, "+1 928 555 0123", "2026-07-13T21:00:00-05:00", "allowed"),
    c("O986 ID all open", always, "+1 986 555 0123", "2026-07-13T21:00:00-05:00", "allowed"),
]

@Suite("Sending windows: hand-checked cases")
struct WindowHandCheckedTests {
    static let calculator = WindowCalculator()

    @Test(arguments: handCheckedWindowCases)
    func answersAsCheckedByHand(_ check: WindowCase) throws {
        let window = try parseWindow(check.window)
        let instant = try #require(Timestamp.parse(check.at), "at \(check.at)")
        let decision = Self.calculator.evaluate(at: instant, window: window, recipient: try recipient(check.to), kind: check.kind)
        let words = check.expected.split(separator: " ").map(String.init)
        switch (words[0], decision) {
        case ("allowed", .allowed):
            break
        case ("never", .never(let reason)):
            if words.count > 1 { #expect(reason.rawValue == words[1]) }
        case (_, .deferred(let until, let reason)) where words.count == 2 && words[0] != "never":
            #expect(window.localTimestamp(until) == words[0])
            #expect(until == Timestamp.parse(words[0]))
            #expect(reason.rawValue == words[1])
            // The answer passes its own check, and a second earlier does not.
            #expect(Self.calculator.evaluate(at: until, window: window, recipient: try recipient(check.to), kind: check.kind) == .allowed)
            #expect(Self.calculator.evaluate(at: until - 1, window: window, recipient: try recipient(check.to), kind: check.kind) != .allowed)
        default:
            Issue.record("expected \(check.expected), got \(decision)")
        }
    }

    @Test func thereAreEnoughCases() {
        #expect(handCheckedWindowCases.count >= 100)
        #expect(Set(handCheckedWindowCases.map(\.name)).count == handCheckedWindowCases.count)
    }

    @Test("every multi-zone area code has a hand-checked case in both seasons")
    func everyMultiZoneCodeIsCovered() {
        for code in AreaCode.all where code.timeZones.count > 1 {
            #expect(handCheckedWindowCases.contains { $0.name.hasPrefix("N\(code.npa) ") }, "no November case for \(code.npa)")
            #expect(handCheckedWindowCases.contains { $0.name.hasPrefix("O\(code.npa) ") }, "no July case for \(code.npa)")
        }
    }
}
