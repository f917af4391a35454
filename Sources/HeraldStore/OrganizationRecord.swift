import HeraldCore

/// An organization as configured, with its senders; upserted at start and on reload.
public struct OrganizationRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var timeZone: String
    public var windowStart: String
    public var windowEnd: String
    public var windowDays: [String]?
    public var smartEncoding: Bool
    public var consentTexts: ConsentTexts
    public var senders: [SenderRecord]

    public init(
        id: String, name: String, timeZone: String, windowStart: String, windowEnd: String, windowDays: [String]?,
        smartEncoding: Bool = false, consentTexts: ConsentTexts = .standard, senders: [SenderRecord]
    ) {
        self.consentTexts = consentTexts
        self.id = id
        self.name = name
        self.timeZone = timeZone
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.windowDays = windowDays
        self.smartEncoding = smartEncoding
        self.senders = senders
    }
}
