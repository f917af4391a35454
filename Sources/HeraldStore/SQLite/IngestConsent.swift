import Foundation
import GRDB
import HeraldCore

/// Consent at ingest (docs/consent.md): conversational and bulk texts need an opt-in, journeys wait for
/// one (and get an opt-in request sent for them), producers' opt-in requests obey the limit.
enum IngestConsent {
    enum Check {
        case proceed
        case awaitConsent
        case reject(RejectionReason)
    }

    static func check(_ message: ValidatedSubmission, rules: IngestRules, now: Date, in db: Database) throws -> Check {
        let number = message.to.e164
        if message.kind == .optInRequest {
            let decision = try OptInRequests.decide(org: message.orgID, user: message.userID, number: number,
                                                    policy: rules.optInPolicy, now: now, in: db)
            if case let .refused(refusal) = decision { return .reject(.optInRefused(refusal)) }
            return .proceed
        }
        guard message.kind.needsConsent else { return .proceed }
        let consent = try ConsentLedger.current(org: message.orgID, number: number, in: db)
        switch ConsentGate.verdict(kind: message.kind, consent: consent) {
        case .proceed: return .proceed
        case .awaitConsent: return .awaitConsent
        case let .refuse(state): return .reject(.noConsent(number: number, consent: state))
        }
    }

    /// What became of the opt-in request a waiting journey asks for, in words for its event.
    struct RequestOutcome {
        var messageID: Int64?
        var note: String
    }

    /// Herald asks on the journey sender's behalf if the limit allows: at once, or, when the last
    /// request is under 12 hours old, held `optin_spacing` until it may go. One request waiting
    /// to go covers every journey to that number.
    static func requestOptIn(
        for journey: ValidatedSubmission, id journeyID: Int64, directory: Directory, rules: IngestRules, now: Date,
        transitions: MessageTransitions
    ) throws -> RequestOutcome {
        let db = transitions.db
        let number = journey.to.e164
        if let pending = try OptInRequests.pending(org: journey.orgID, number: number, in: db) {
            return RequestOutcome(note: "opt-in request \(pending) is already on its way")
        }
        guard let sender = directory.sender(org: journey.orgID, named: journey.userID),
              let organization = directory.organization(journey.orgID),
              let body = directory.consentText(.optInRequest, org: journey.orgID, sender: sender)
        else {
            return RequestOutcome(note: "no opt-in request: the sender has no active number")
        }
        var earliest = now
        var spacing = false
        switch try OptInRequests.decide(org: journey.orgID, user: journey.userID, number: number, policy: rules.optInPolicy,
                                        now: now, in: db) {
        case .allowed: break
        case let .refused(.tooSoon(next)):
            earliest = next
            spacing = true
        case let .refused(refusal):
            return RequestOutcome(note: "no opt-in request: \(refusal.description)")
        }
        var placement: Placement
        switch rules.placement(kind: .optInRequest, to: journey.to, organization: organization, earliest: earliest) {
        case let .success(placed): placement = placed
        case let .failure(reason): return RequestOutcome(note: "no opt-in request: \(reason.description)")
        }
        if spacing, placement.heldReason == nil { placement.heldReason = .optinSpacing }
        let id = try OwnMessages.queue(OwnText(
            org: journey.orgID, sender: sender, to: number, body: body, kind: .optInRequest, placement: placement,
            purpose: .optInRequest, detail: "for journey message \(journeyID)"
        ), transitions: transitions, rules: rules)
        let when = placement.heldReason.map { "held \($0.rawValue) until \(Timestamp.format(placement.notBefore))" } ?? "queued"
        return RequestOutcome(messageID: id, note: "opt-in request \(id) \(when)")
    }
}
