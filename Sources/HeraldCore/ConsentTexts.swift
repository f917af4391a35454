/// What Herald itself says to a contact on an organization's behalf (docs/domain.md, docs/consent.md): the opt-in
/// request, the two confirmations and the HELP answer. Each may use `{org_name}` and `{user_name}`.
public struct ConsentTexts: Sendable, Equatable {
    public var optInRequest: MessageTemplate
    public var optInConfirmation: MessageTemplate
    public var optOutConfirmation: MessageTemplate
    public var help: MessageTemplate

    public static let variables = ["org_name", "user_name"]

    public static let standard = ConsentTexts(
        optInRequest: MessageTemplate(
            "{org_name}: {user_name} would like to send you text messages. Reply YES to opt in. Msg & data rates may apply. Reply STOP to opt out."
        ),
        optInConfirmation: MessageTemplate(
            "You're all set to get texts from {org_name}. Msg & data rates may apply. Reply HELP for help. To unsubscribe, reply STOP."
        ),
        optOutConfirmation: MessageTemplate(
            "You are unsubscribed from {org_name} and will get no more texts. Reply START to subscribe again."
        ),
        help: MessageTemplate(
            "{org_name}: texts from {user_name}. Reply STOP to unsubscribe, START to subscribe again. Msg & data rates may apply."
        )
    )

    public init(optInRequest: MessageTemplate, optInConfirmation: MessageTemplate, optOutConfirmation: MessageTemplate, help: MessageTemplate) {
        self.optInRequest = optInRequest
        self.optInConfirmation = optInConfirmation
        self.optOutConfirmation = optOutConfirmation
        self.help = help
    }

    /// The text a keyword reply is answered with, or the opt-in request.
    public enum Purpose: String, Sendable, CaseIterable {
        case optInRequest = "optin_request"
        case optInConfirmation = "optin_confirmation"
        case optOutConfirmation = "optout_confirmation"
        case help = "help_answer"
    }

    public func template(for purpose: Purpose) -> MessageTemplate {
        switch purpose {
        case .optInRequest: optInRequest
        case .optInConfirmation: optInConfirmation
        case .optOutConfirmation: optOutConfirmation
        case .help: help
        }
    }

    /// Renders with the two variables every consent text may use; configuration loading has
    /// already refused any other, so this cannot fail for a loaded organization.
    public func render(_ purpose: Purpose, orgName: String, userName: String) throws(MessageTemplate.Problem) -> String {
        try template(for: purpose).render(["org_name": orgName, "user_name": userName])
    }
}
