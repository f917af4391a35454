/// What a message is for; decides whether sending windows hold it and whether it needs consent (docs/states.md#message-kinds).
public enum MessageKind: String, Sendable, CaseIterable, Codable {
    case conversational
    case journey
    case bulk
    case optInRequest = "opt_in_request"
    case system

    /// Lower sorts first. docs/states.md#message-kinds: system > conversational > opt_in_request > journey > bulk.
    public var priority: Int {
        switch self {
        case .system: 0
        case .conversational: 1
        case .optInRequest: 2
        case .journey: 3
        case .bulk: 4
        }
    }

    public static let priorities: [Int] = allCases.map(\.priority).sorted()

    /// Conversational and system texts answer a person who is waiting, so windows never hold them.
    public var isHeldBySendingWindow: Bool {
        switch self {
        case .conversational, .system: false
        case .journey, .bulk, .optInRequest: true
        }
    }

    /// Herald's own answers (an opt-out confirmation, a HELP answer) and one-to-one
    /// conversations go out at once: a number's rate cap lets them go before the texts it holds
    /// in its line (a broadcast's backlog), not after them.
    public var goesAheadOfHeldTexts: Bool {
        switch self {
        case .conversational, .system: true
        case .journey, .bulk, .optInRequest: false
        }
    }

    public var needsConsent: Bool {
        switch self {
        case .conversational, .journey, .bulk: true
        case .optInRequest, .system: false
        }
    }
}
