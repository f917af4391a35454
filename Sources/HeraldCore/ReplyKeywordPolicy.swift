/// What a reply did, kept in `inbound_message.action` (docs/consent.md).
public enum InboundAction: String, Sendable, Equatable, Codable {
    case optedOut = "opted_out"
    /// A repeated opt-out: recorded, but no second confirmation.
    case alreadyOptedOut = "already_opted_out"
    case optedIn = "opted_in"
    case alreadyOptedIn = "already_opted_in"
    case helpAnswered = "help_answered"
    /// Not a keyword: a reply in the conversation, for watchers (and the sender).
    case conversation
    /// A conversation reply the sending user's auto-reply answered.
    case autoReplied = "auto_replied"
    /// Sent to a number no organization has: stored, nothing else.
    case unknownNumber = "unknown_number"
}

/// Herald's answer to a contact's reply (docs/consent.md, "Keywords"): the consent change a
/// keyword asks for, what the reply is recorded as, and which text, if any, answers it.
public enum ReplyKeywordPolicy {
    /// The consent a reply asks for; nil when it asks for none.
    public static func consentChange(for keyword: ReplyKeyword?) -> ConsentState? {
        switch keyword {
        case .optOut: .optedOut
        case .optIn: .optedIn
        case .help, nil: nil
        }
    }

    public struct Answer: Sendable, Equatable {
        public var action: InboundAction
        /// The text Herald sends back, if the organization and sender have one.
        public var reply: OwnTextPurpose?

        public init(action: InboundAction, reply: OwnTextPurpose? = nil) {
            self.action = action
            self.reply = reply
        }
    }

    /// - Parameters:
    ///   - consentChanged: whether the keyword's consent change changed anything: a repeated STOP
    ///     or YES is recorded, but never confirmed twice.
    ///   - autoReply: for a conversation reply, whether the user's auto-reply may answer it
    ///     (`autoReplyAllowed`); false when the user has none.
    public static func answer(to keyword: ReplyKeyword?, consentChanged: Bool, autoReply: Bool) -> Answer {
        switch keyword {
        case .optOut:
            consentChanged ? Answer(action: .optedOut, reply: .optOutConfirmation) : Answer(action: .alreadyOptedOut)
        case .optIn:
            consentChanged ? Answer(action: .optedIn, reply: .optInConfirmation) : Answer(action: .alreadyOptedIn)
        case .help:
            Answer(action: .helpAnswered, reply: .helpAnswer)
        case nil:
            autoReply ? Answer(action: .autoReplied, reply: .autoReply) : Answer(action: .conversation)
        }
    }

    /// A user's auto-reply answers only a contact who opted in, and at most once per contact per
    /// its period, so two automatons never talk to each other for long.
    public static func autoReplyAllowed(consent: ConsentState, answeredWithinPeriod: Bool) -> Bool {
        consent == .optedIn && !answeredWithinPeriod
    }
}
