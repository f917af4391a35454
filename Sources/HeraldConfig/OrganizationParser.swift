import HeraldCore
import Foundation

/// Reads `[[orgs]]` and their `[[orgs.users]]`, including the checks that span entries:
/// organization ids are unique, user ids are unique within their organization (the store keys
/// users by organization and id), and a number belongs to one sender across all organizations.
final class OrganizationParser {
    let log: ProblemLog
    /// Where each id or number was first seen, to name it in a duplicate's message. Filled even
    /// when the rest of an entry is invalid, so one mistake does not hide another.
    private var firstOrgID: [String: String] = [:]
    private var firstNumber: [String: String] = [:]

    static let defaultTimeZone = "America/Chicago"

    init(log: ProblemLog) {
        self.log = log
    }

    func parse(_ readers: [TOMLReader]) -> [HeraldConfiguration.Organization] {
        readers.compactMap(parseOrganization)
    }

    private func parseOrganization(_ r: TOMLReader) -> HeraldConfiguration.Organization? {
        defer { r.reportUnknownKeys() }
        var id = r.requiredString("id")
        if let written = id {
            if let earlier = firstOrgID[written] {
                r.badValue("id", "duplicate organization id \(String(reflecting: written)), already used by \(earlier)")
                id = nil
            } else {
                firstOrgID[written] = r.keyPath("id")
            }
        }
        let name = r.string("name", default: id ?? "")
        let timeZone = parseTimeZone(r)
        let windowStart = parseClockTime(r, "window_start", default: "08:00")
        let windowEnd = parseClockTime(r, "window_end", default: "16:00")
        if let windowStart, let windowEnd, windowStart == windowEnd {
            r.badValue("window_end", """
                equals window_start (\(windowStart)): the window would be empty; \
                to send around the clock use window_start = "00:00" and window_end = "23:59"
                """)
        }
        let days = parseDays(r)
        let smartEncoding = r.boolean("smart_encoding", default: false)
        let texts = parseConsentTexts(r)
        let users = parseUsers(r.tableArray("users"))
        guard let id, let name, let timeZone, let windowStart, let windowEnd, let days, let smartEncoding, let texts, let users
        else { return nil }
        return .init(id: id, name: name, timeZone: timeZone, windowStart: windowStart, windowEnd: windowEnd, days: days,
                     smartEncoding: smartEncoding, consentTexts: texts, users: users)
    }

    /// Region names only: `TimeZone` also accepts abbreviations such as "CST", which are fixed
    /// offsets without daylight saving, exactly the mistake a sending window must not make.
    private func parseTimeZone(_ r: TOMLReader) -> TimeZone? {
        guard let identifier = r.string("timezone", default: Self.defaultTimeZone) else { return nil }
        let isRegion = identifier.contains("/") || identifier == "UTC"
            || TimeZone.knownTimeZoneIdentifiers.contains(identifier)
        guard isRegion, let zone = TimeZone(identifier: identifier) else {
            r.badValue("timezone", "\(String(reflecting: identifier)) is not an IANA timezone (e.g. \"America/Chicago\")")
            return nil
        }
        return zone
    }

    private func parseClockTime(_ r: TOMLReader, _ key: String, default fallback: String) -> TimeOfDay? {
        guard let text = r.string(key, default: fallback) else { return nil }
        guard let time = TimeOfDay(parsing: text) else {
            r.badValue(key, "\(String(reflecting: text)) is not a time of day HH:MM between 00:00 and 23:59")
            return nil
        }
        return time
    }

    private func parseDays(_ r: TOMLReader) -> Set<Weekday>? {
        guard r.contains("days") else { return Set(Weekday.allCases) }
        guard let names = r.stringArray("days") else { return nil }
        guard !names.isEmpty else {
            r.badValue("days", "lists no days, so nothing would ever send; leave days out to send every day")
            return nil
        }
        var days: Set<Weekday> = []
        var valid = true
        for (index, name) in names.enumerated() {
            if let day = Weekday(rawValue: name.lowercased()) {
                days.insert(day)
            } else {
                let options = Weekday.allCases.map(\.rawValue).joined(separator: ", ")
                r.badValue("days", "\(String(reflecting: name)) at index \(index) is not a day (\(options))")
                valid = false
            }
        }
        return valid ? days : nil
    }

    /// The opt-in request, confirmations and HELP answer (docs/consent.md); each defaults to Herald's
    /// standard wording and may use only the variables every consent text can fill.
    private func parseConsentTexts(_ r: TOMLReader) -> ConsentTexts? {
        let standard = ConsentTexts.standard
        func template(_ key: String, _ fallback: MessageTemplate) -> MessageTemplate? {
            guard let text = r.string(key, default: fallback.text) else { return nil }
            let template = MessageTemplate(text)
            do {
                try template.validate(allowed: ConsentTexts.variables)
            } catch {
                r.badValue(key, "\(error)")
                return nil
            }
            if text.allSatisfy(\.isWhitespace) {
                r.badValue(key, "is empty; leave it out to use Herald's standard wording")
                return nil
            }
            return template
        }
        let optIn = template("optin_template", standard.optInRequest)
        let confirmation = template("optin_confirmation", standard.optInConfirmation)
        let optOut = template("optout_confirmation", standard.optOutConfirmation)
        let help = template("help_text", standard.help)
        guard let optIn, let confirmation, let optOut, let help else { return nil }
        return ConsentTexts(optInRequest: optIn, optInConfirmation: confirmation, optOutConfirmation: optOut, help: help)
    }

    private func parseUsers(_ readers: [TOMLReader]) -> [HeraldConfiguration.Sender]? {
        var firstUserID: [String: String] = [:]
        let users = readers.map { parseSender($0, firstUserID: &firstUserID) }
        return users.contains(nil) ? nil : users.compactMap { $0 }
    }

    private func parseSender(_ r: TOMLReader, firstUserID: inout [String: String]) -> HeraldConfiguration.Sender? {
        defer { r.reportUnknownKeys() }
        var id = r.requiredString("id")
        if let written = id {
            if let earlier = firstUserID[written] {
                r.badValue("id", "duplicate user id \(String(reflecting: written)) in this organization, already used by \(earlier)")
                id = nil
            } else {
                firstUserID[written] = r.keyPath("id")
            }
        }
        let name = r.string("name", default: id ?? "")
        let numberType = r.choice("number_type", default: HeraldConfiguration.NumberType.longCode)
        var number = r.requiredString("number")
        if let written = number {
            if let numberType, let problem = SenderNumber.problem(written, type: numberType) {
                r.badValue("number", problem)
                number = nil
            } else if let earlier = firstNumber[written] {
                r.badValue("number", "\(written) is already the number of \(earlier); a number sends for one user only")
                number = nil
            } else {
                firstNumber[written] = r.keyPath("number")
            }
        }
        let hasRate = r.contains("rate")
        let rate = hasRate ? r.positiveNumber("rate", default: 0) : nil
        let autoReplyText = r.string("auto_reply", default: "")
        let period = r.positiveNumber("auto_reply_period", default: AutoReply.defaultPeriod / 3600)
        if let autoReplyText, autoReplyText.isEmpty == false, autoReplyText.allSatisfy(\.isWhitespace) {
            r.badValue("auto_reply", "is blank; leave it out for no automatic answer")
            return nil
        }
        let profile = parseProfile(r, name: name ?? "")
        let email = parseEmail(r)
        let forwardReplies = r.boolean("forward_replies", default: false)
        if forwardReplies == true, case .some(nil) = email {
            r.badValue("forward_replies", "is true but the user has no email; set email to the address replies should go to")
            return nil
        }
        guard let id, let name, let number, let numberType, rate != nil || !hasRate, let autoReplyText, let period, let profile,
              let email, let forwardReplies
        else { return nil }
        let autoReply = autoReplyText.isEmpty ? nil : AutoReply(text: autoReplyText, period: period * 3600)
        return .init(id: id, name: name, number: number, numberType: numberType, rate: rate, autoReply: autoReply,
                     cellPhone: profile.cellPhone, signature: profile.signature, email: email, forwardReplies: forwardReplies)
    }

    /// `cell_phone` and `signature`, checked as `heraldctl user add` checks them.
    private func parseProfile(_ r: TOMLReader, name: String) -> UserSettings? {
        guard let cell = r.string("cell_phone", default: ""), let signature = r.string("signature", default: "") else { return nil }
        do {
            return try UserSettings(name: name.isEmpty ? "-" : name, cellPhone: cell, signature: signature).validated()
        } catch let .cellPhone(_, problem) {
            r.badValue("cell_phone", problem)
        } catch let .signatureTooLong(count) {
            r.badValue("signature", "has \(count) characters; at most \(UserSettings.maximumSignature), since it is added to every text")
        } catch {
            r.badValue("name", error.description)
        }
        return nil
    }

    /// `.some(nil)` when the user has no address, nil when the one written is unusable (logged).
    private func parseEmail(_ r: TOMLReader) -> String?? {
        guard r.contains("email") else { return .some(nil) }
        guard let address = r.string("email") else { return nil }
        if let problem = EmailAddress.problem(address) {
            r.badValue("email", problem)
            return nil
        }
        return .some(address)
    }
}
