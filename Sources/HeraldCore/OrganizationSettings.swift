import Foundation

/// What an organization admin sets (docs/domain.md), as text the way heraldctl and herald.toml write it.
/// `validate` is the one check both `heraldctl org` and the stored row go through.
public struct OrganizationSettings: Sendable, Equatable {
    public var name: String
    public var timeZone: String
    public var windowStart: String
    public var windowEnd: String
    /// Days the window opens on, `mon,tue,…`; nil means every day.
    public var weekdays: String?
    public var smartEncoding: Bool
    /// nil: Herald's standard wording.
    public var texts: [ConsentTexts.Purpose: String]

    public init(
        name: String, timeZone: String = "America/Chicago", windowStart: String = "08:00", windowEnd: String = "16:00",
        weekdays: String? = nil, smartEncoding: Bool = false, texts: [ConsentTexts.Purpose: String] = [:]
    ) {
        self.name = name
        self.timeZone = timeZone
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.weekdays = weekdays
        self.smartEncoding = smartEncoding
        self.texts = texts
    }

    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case emptyName
        case timeZone(String)
        case clockTime(field: String, value: String)
        case window(String)
        case weekdays(String)
        case text(ConsentTexts.Purpose, MessageTemplate.Problem)

        public var description: String {
            switch self {
            case .emptyName: "name is empty"
            case let .timeZone(zone):
                "timezone \(String(reflecting: zone)) is not an IANA region name such as \"America/Chicago\" (abbreviations like CST have no daylight saving)"
            case let .clockTime(field, value): "\(field) \(String(reflecting: value)) is not HH:MM (00:00-23:59)"
            case let .window(problem): "sending window: \(problem)"
            case let .weekdays(value): "weekdays \(String(reflecting: value)) is not a comma-separated list of mon, tue, wed, thu, fri, sat, sun (or \"all\")"
            case let .text(purpose, problem): "\(purpose.rawValue): \(problem)"
            }
        }
    }

    /// The window these settings describe; every problem is named for the field that has it.
    public func validate() throws(Problem) -> SendingWindow {
        guard name.contains(where: { !$0.isWhitespace }) else { throw .emptyName }
        let isRegion = timeZone.contains("/") || timeZone == "UTC"
        guard isRegion, TimeZone(identifier: timeZone) != nil else { throw .timeZone(timeZone) }
        guard let start = TimeOfDay(parsing: Substring(windowStart)) else { throw .clockTime(field: "window_start", value: windowStart) }
        guard let end = TimeOfDay(parsing: Substring(windowEnd)) else { throw .clockTime(field: "window_end", value: windowEnd) }
        guard let days = Self.days(weekdays) else { throw .weekdays(weekdays ?? "") }
        for (purpose, text) in texts {
            do { try MessageTemplate(text).validate(allowed: ConsentTexts.variables) } catch { throw .text(purpose, error) }
        }
        do {
            return try SendingWindow(start: start, end: end, days: days, timeZone: timeZone)
        } catch {
            throw .window(error.description)
        }
    }

    /// `mon,wed` → those days; nil, empty or `all` → every day; nil when a name is not a day.
    public static func days(_ text: String?) -> Set<Weekday>? {
        guard let text, !text.isEmpty, text.lowercased() != "all" else { return Set(Weekday.allCases) }
        var days = Set<Weekday>()
        for name in text.split(separator: ",") {
            guard let day = Weekday(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) else { return nil }
            days.insert(day)
        }
        return days.isEmpty ? nil : days
    }
}

/// A sending user's profile (docs/domain.md) as an admin sets it.
public struct UserSettings: Sendable, Equatable {
    public var name: String
    /// E.164 once validated.
    public var cellPhone: String?
    public var email: String?
    public var signature: String?
    /// Replies to the user's number are also mailed to `email`.
    public var forwardReplies: Bool

    public init(name: String, cellPhone: String? = nil, email: String? = nil, signature: String? = nil, forwardReplies: Bool = false) {
        self.forwardReplies = forwardReplies
        self.name = name
        self.cellPhone = cellPhone
        self.email = email
        self.signature = signature
    }

    /// A signature longer than this would turn every text into two segments or more.
    public static let maximumSignature = 60

    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case emptyName
        case cellPhone(input: String, problem: String)
        case email(String)
        case signatureTooLong(Int)
        case forwardWithoutEmail

        public var description: String {
            switch self {
            case .emptyName: "name is empty"
            case let .cellPhone(input, problem): "cell_phone \(String(reflecting: input)): \(problem)"
            case let .email(value): "email \(String(reflecting: value)) is not an address like name@example.com"
            case let .signatureTooLong(count):
                "signature has \(count) characters; at most \(UserSettings.maximumSignature), since it is added to every text"
            case .forwardWithoutEmail: "forward_replies is on but the user has no email; give the address replies should go to"
            }
        }
    }

    /// The settings with the cell phone in E.164; blank optional fields become nil.
    public func validated() throws(Problem) -> UserSettings {
        var result = self
        guard name.contains(where: { !$0.isWhitespace }) else { throw .emptyName }
        if let cell = cellPhone?.trimmed, !cell.isEmpty {
            switch PhoneNumber.parse(cell) {
            case let .success(number): result.cellPhone = number.e164
            case let .failure(error): throw .cellPhone(input: cell, problem: error.description)
            }
        } else {
            result.cellPhone = nil
        }
        if let email = email?.trimmed, !email.isEmpty {
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
                  !email.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," })
            else { throw .email(email) }
            result.email = email
        } else {
            result.email = nil
        }
        if let signature = signature?.trimmed, !signature.isEmpty {
            guard signature.count <= Self.maximumSignature else { throw .signatureTooLong(signature.count) }
            result.signature = signature
        } else {
            result.signature = nil
        }
        if forwardReplies, result.email == nil { throw .forwardWithoutEmail }
        return result
    }
}

/// A change an admin asks for: nil leaves a field as it is; an empty text clears an optional
/// field (weekdays back to every day, a consent text back to Herald's standard wording).
public struct OrganizationChanges: Sendable, Equatable {
    public var name: String?
    public var timeZone: String?
    public var windowStart: String?
    public var windowEnd: String?
    public var weekdays: String?
    public var smartEncoding: Bool?
    public var texts: [ConsentTexts.Purpose: String] = [:]

    public init(
        name: String? = nil, timeZone: String? = nil, windowStart: String? = nil, windowEnd: String? = nil, weekdays: String? = nil,
        smartEncoding: Bool? = nil, texts: [ConsentTexts.Purpose: String] = [:]
    ) {
        self.name = name
        self.timeZone = timeZone
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.weekdays = weekdays
        self.smartEncoding = smartEncoding
        self.texts = texts
    }

    public var isEmpty: Bool { self == OrganizationChanges() }

    public func applied(to settings: OrganizationSettings) -> OrganizationSettings {
        var result = settings
        if let name { result.name = name }
        if let timeZone { result.timeZone = timeZone }
        if let windowStart { result.windowStart = windowStart }
        if let windowEnd { result.windowEnd = windowEnd }
        if let weekdays { result.weekdays = weekdays.isEmpty || weekdays.lowercased() == "all" ? nil : weekdays.lowercased() }
        if let smartEncoding { result.smartEncoding = smartEncoding }
        for (purpose, text) in texts { result.texts[purpose] = text.isEmpty ? nil : text }
        return result
    }

    /// "timezone=America/Denver window_end=19:00": what the admin log records.
    public var summary: String {
        var parts: [String] = []
        if let name { parts.append("name=\(String(reflecting: name))") }
        if let timeZone { parts.append("timezone=\(timeZone)") }
        if let windowStart { parts.append("window_start=\(windowStart)") }
        if let windowEnd { parts.append("window_end=\(windowEnd)") }
        if let weekdays { parts.append("weekdays=\(weekdays.isEmpty ? "all" : weekdays)") }
        if let smartEncoding { parts.append("smart_encoding=\(smartEncoding)") }
        for purpose in ConsentTexts.Purpose.allCases {
            if let text = texts[purpose] { parts.append("\(purpose.rawValue)=\(text.isEmpty ? "standard" : String(reflecting: text))") }
        }
        return parts.joined(separator: " ")
    }
}

public struct UserChanges: Sendable, Equatable {
    public var name: String?
    public var cellPhone: String?
    public var email: String?
    public var signature: String?
    public var forwardReplies: Bool?

    public init(name: String? = nil, cellPhone: String? = nil, email: String? = nil, signature: String? = nil, forwardReplies: Bool? = nil) {
        self.forwardReplies = forwardReplies
        self.name = name
        self.cellPhone = cellPhone
        self.email = email
        self.signature = signature
    }

    public var isEmpty: Bool { self == UserChanges() }

    public func applied(to settings: UserSettings) -> UserSettings {
        var result = settings
        if let name { result.name = name }
        if let cellPhone { result.cellPhone = cellPhone }
        if let email { result.email = email }
        if let signature { result.signature = signature }
        if let forwardReplies { result.forwardReplies = forwardReplies }
        return result
    }

    public var summary: String {
        [("name", name), ("cell_phone", cellPhone), ("email", email), ("signature", signature)]
            .compactMap { field, value in value.map { "\(field)=\($0.isEmpty ? "none" : String(reflecting: $0))" } }
            .joined(separator: " ") + (forwardReplies.map { " forward_replies=\($0)" } ?? "")
    }
}

/// Ids of organizations, users and templates an admin creates: they appear in commands, logs
/// and outbox rows, so they are kept to characters no shell or SQL literal trips over.
public enum AdminIdentifier {
    public static func problem(_ id: String, what: String) -> String? {
        let allowed = id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
        if id.isEmpty || id.utf8.count > 64 || !allowed || id.hasPrefix("-") || id.hasPrefix("+") {
            return "\(what) id \(String(reflecting: id)) must be 1-64 characters of a-z, 0-9, '-', '_' and '.', not starting with '-'"
        }
        return nil
    }
}
