import HeraldCore
import Testing

/// Herald's answer to a contact's reply: the consent change, what the reply is recorded as, and
/// the text that answers it.
@Suite("Reply keyword policy")
struct ReplyKeywordPolicyTests {
    typealias Policy = ReplyKeywordPolicy

    @Test func consentChanges() {
        #expect(Policy.consentChange(for: .optOut) == .optedOut)
        #expect(Policy.consentChange(for: .optIn) == .optedIn)
        #expect(Policy.consentChange(for: .help) == nil)
        #expect(Policy.consentChange(for: nil) == nil)
    }

    @Test("STOP and YES are confirmed once; a repeat is recorded and not confirmed again")
    func confirmations() {
        #expect(Policy.answer(to: .optOut, consentChanged: true, autoReply: true) == .init(action: .optedOut, reply: .optOutConfirmation))
        #expect(Policy.answer(to: .optOut, consentChanged: false, autoReply: true) == .init(action: .alreadyOptedOut, reply: nil))
        #expect(Policy.answer(to: .optIn, consentChanged: true, autoReply: false) == .init(action: .optedIn, reply: .optInConfirmation))
        #expect(Policy.answer(to: .optIn, consentChanged: false, autoReply: false) == .init(action: .alreadyOptedIn, reply: nil))
    }

    @Test("HELP is always answered; a conversation reply only by an allowed auto-reply")
    func helpAndConversation() {
        #expect(Policy.answer(to: .help, consentChanged: false, autoReply: false) == .init(action: .helpAnswered, reply: .helpAnswer))
        #expect(Policy.answer(to: nil, consentChanged: false, autoReply: true) == .init(action: .autoReplied, reply: .autoReply))
        #expect(Policy.answer(to: nil, consentChanged: false, autoReply: false) == .init(action: .conversation, reply: nil))
    }

    @Test("an auto-reply goes only to a contact who opted in, once per period")
    func autoReply() {
        #expect(Policy.autoReplyAllowed(consent: .optedIn, answeredWithinPeriod: false))
        #expect(!Policy.autoReplyAllowed(consent: .optedIn, answeredWithinPeriod: true))
        #expect(!Policy.autoReplyAllowed(consent: .unknown, answeredWithinPeriod: false))
        #expect(!Policy.autoReplyAllowed(consent: .optedOut, answeredWithinPeriod: false))
    }

    @Test("event reasons keep their public codes")
    func eventReasonCodes() {
        let codes: [(EventReason, String)] = [
            (.held(.orgWindow), "org_window"), (.rejected(code: "invalid_number"), "invalid_number"),
            (.ownText(.optInRequest), "optin_request"), (.ownText(.optInConfirmation), "optin_confirmation"),
            (.ownText(.optOutConfirmation), "optout_confirmation"), (.ownText(.helpAnswer), "help_answer"),
            (.ownText(.autoReply), "auto_reply"), (.requeuedAfterCrash, "reconcile"), (.operatorRetry, "retry"),
            (.operatorCancel, "canceled"), (.expired, "expired"), (.optedOut, "opted_out"), (.noConsent, "no_consent"),
            (.optedIn, "opted_in"), (.alreadyOptedIn, "already_opted_in"), (.statusCallback, "status_callback"), (.reconciled, "reconciled"), (.reconcileEnded, "reconcile_ended"),
            (.carrierError, "carrier_error"),
        ]
        for (reason, code) in codes { #expect(reason.code == code) }
    }
}
