import Foundation
import HeraldCore
import PostgresNIO

/// Consent at ingest (docs/consent.md), as `IngestConsent` checks it for SQLite: Core's
/// `ConsentGate` and `OptInRequestPolicy` decide from the ledger's current state.
enum PostgresIngestConsent {
    static func check(_ message: ValidatedSubmission, rules: IngestRules, now: Date, in session: PostgresSession) async throws -> IngestConsent.Check {
        let number = message.to.e164
        if message.kind == .optInRequest {
            let decision = try await PostgresOptInRequests.decide(org: message.orgID, user: message.userID, number: number,
                                                                  policy: rules.optInPolicy, now: now, in: session)
            if case let .refused(refusal) = decision { return .reject(.optInRefused(refusal)) }
            return .proceed
        }
        guard message.kind.needsConsent else { return .proceed }
        let consent = try await PostgresConsentLedger.current(org: message.orgID, number: number, in: session)
        switch ConsentGate.verdict(kind: message.kind, consent: consent) {
        case .proceed: return .proceed
        case .awaitConsent: return .awaitConsent
        case let .refuse(state): return .reject(.noConsent(number: number, consent: state))
        }
    }

    /// Herald asks on the journey sender's behalf if the limit allows: at once, or held
    /// `optin_spacing` until it may go. One request waiting to go covers every journey to that number.
    static func requestOptIn(
        for journey: ValidatedSubmission, id journeyID: Int64, directory: Directory, rules: IngestRules, now: Date,
        transitions: PostgresTransitions
    ) async throws -> IngestConsent.RequestOutcome {
        let session = transitions.session
        let number = journey.to.e164
        if let pending = try await PostgresOptInRequests.pending(org: journey.orgID, number: number, in: session) {
            return .init(note: "opt-in request \(pending) is already on its way")
        }
        guard let sender = directory.sender(org: journey.orgID, named: journey.userID),
              let organization = directory.organization(journey.orgID),
              let body = directory.consentText(.optInRequest, org: journey.orgID, sender: sender)
        else {
            return .init(note: "no opt-in request: the sender has no active number")
        }
        var earliest = now
        var spacing = false
        switch try await PostgresOptInRequests.decide(org: journey.orgID, user: journey.userID, number: number,
                                                       policy: rules.optInPolicy, now: now, in: session) {
        case .allowed: break
        case let .refused(.tooSoon(next)):
            earliest = next
            spacing = true
        case let .refused(refusal):
            return .init(note: "no opt-in request: \(refusal.description)")
        }
        var placement: Placement
        switch rules.placement(kind: .optInRequest, to: journey.to, organization: organization, earliest: earliest) {
        case let .success(placed): placement = placed
        case let .failure(reason): return .init(note: "no opt-in request: \(reason.description)")
        }
        if spacing, placement.heldReason == nil { placement.heldReason = .optinSpacing }
        let id = try await PostgresOwnMessages.queue(OwnText(
            org: journey.orgID, sender: sender, to: number, body: body, kind: .optInRequest, placement: placement,
            purpose: .optInRequest, detail: "for journey message \(journeyID)"
        ), transitions: transitions, rules: rules)
        let when = placement.heldReason.map { "held \($0.rawValue) until \(Timestamp.format(placement.notBefore))" } ?? "queued"
        return .init(messageID: id, note: "opt-in request \(id) \(when)")
    }
}
