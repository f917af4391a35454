import Foundation
import HeraldCore

extension HeraldConfiguration {
    /// An organization known at start (docs/domain.md), with its sending window (docs/windows.md).
    public struct Organization: Sendable, Equatable {
        public var id: String
        public var name: String
        public var timeZone: TimeZone
        /// Local wall-clock start of the sending window in `timeZone`.
        public var windowStart: TimeOfDay
        /// Local wall-clock end; earlier than `windowStart` means the window crosses midnight.
        public var windowEnd: TimeOfDay
        /// Days on which the window opens; all seven when the file does not restrict them.
        public var days: Set<Weekday>
        /// Replace look-alike punctuation (curly quotes, dashes…) with GSM-7 before segmenting.
        public var smartEncoding: Bool
        /// The opt-in request, confirmations and HELP answer Herald sends on the org's behalf.
        public var consentTexts: ConsentTexts
        public var users: [Sender]

        public init(
            id: String,
            name: String,
            timeZone: TimeZone,
            windowStart: TimeOfDay = TimeOfDay(hour: 8, minute: 0)!,
            windowEnd: TimeOfDay = TimeOfDay(hour: 16, minute: 0)!,
            days: Set<Weekday> = Set(Weekday.allCases),
            smartEncoding: Bool = false,
            consentTexts: ConsentTexts = .standard,
            users: [Sender] = []
        ) {
            self.id = id
            self.name = name
            self.timeZone = timeZone
            self.windowStart = windowStart
            self.windowEnd = windowEnd
            self.days = days
            self.smartEncoding = smartEncoding
            self.consentTexts = consentTexts
            self.users = users
        }

        public var profile: OrganizationProfile {
            OrganizationProfile(id: id, name: name, timeZone: timeZone.identifier)
        }
    }

    /// A user who texts, with the number provisioned for them.
    public struct Sender: Sendable, Equatable {
        public var id: String
        public var name: String
        /// E.164, `+1` and ten digits.
        public var number: String
        public var numberType: NumberType
        /// Segments per second for this number; nil means the `[rates]` value for its type.
        public var rate: Double?
        /// Answers a contact's conversation reply, at most once per contact per period.
        public var autoReply: AutoReply?
        /// The user's own cell phone, E.164.
        public var cellPhone: String?
        /// Added to the user's conversational, journey and bulk texts.
        public var signature: String?
        /// The user's own address, where forwarded replies go.
        public var email: String?
        /// Every reply to the user's number is also mailed to `email` (needs `[email]`).
        public var forwardReplies: Bool

        public init(
            id: String, name: String, number: String, numberType: NumberType = .longCode, rate: Double? = nil,
            autoReply: AutoReply? = nil, cellPhone: String? = nil, signature: String? = nil, email: String? = nil,
            forwardReplies: Bool = false
        ) {
            self.cellPhone = cellPhone
            self.signature = signature
            self.autoReply = autoReply
            self.email = email
            self.forwardReplies = forwardReplies
            self.id = id
            self.name = name
            self.number = number
            self.numberType = numberType
            self.rate = rate
        }

        public func effectiveRate(_ rates: Rates) -> Double {
            rate ?? rates.rate(for: numberType)
        }
    }

    public enum NumberType: String, Sendable, Equatable, CaseIterable {
        case longCode = "long_code"
        case tollFree = "toll_free"
        case shortCode = "short_code"
    }

    /// What the ingest and dispatch rules consult, with rates already resolved by number type.
    public var organizationProfiles: [OrganizationProfile] { orgs.map(\.profile) }

    public var senderProfiles: [SenderProfile] {
        orgs.flatMap { org in
            org.users.map { user in
                SenderProfile(orgID: org.id, userID: user.id, number: user.number, rate: user.effectiveRate(rates))
            }
        }
    }
}
