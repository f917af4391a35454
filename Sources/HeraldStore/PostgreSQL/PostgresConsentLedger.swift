import Foundation
import HeraldCore
import PostgresNIO

/// The append-only consent ledger and what a change sets in motion (docs/consent.md), as
/// `ConsentLedger` does for SQLite: the change, its ledger row (the trigger keeps `consent` in
/// step) and the messages it cancels or releases commit together in the caller's transaction.
enum PostgresConsentLedger {
    static func current(org: String, number: String, in session: PostgresSession) async throws -> ConsentState {
        let state = try await session.value("SELECT state FROM consent WHERE org_id = \(org) AND number = \(number)", as: String.self)
        return state.flatMap(ConsentState.init(rawValue:)) ?? .unknown
    }

    /// Records the change unless the number is already in that state, then cancels or releases
    /// the number's pending messages in that org.
    static func apply(_ request: ConsentRequest, transitions: PostgresTransitions) async throws -> ConsentEffect {
        let session = transitions.session
        // Two changes to one number at once (two instances, two webhooks) take turns here, so
        // each ledger row's old_state is what the one before it left.
        try await session.execute("SELECT pg_advisory_xact_lock(hashtextextended(\(request.org + "\u{1F}" + request.number), 0))")
        let old = try await current(org: request.org, number: request.number, in: session)
        guard old != request.state else { return ConsentEffect(old: old) }
        let ledgerID = try await session.value("""
            INSERT INTO consent_ledger (org_id, number, at, old_state, new_state, consent_type, changed_by,
                source_message_id, source_inbound_id, wording, note)
            VALUES (\(request.org), \(request.number), \(transitions.at), \(old.rawValue), \(request.state.rawValue), \(request.type.rawValue),
                \(request.changedBy), \(request.sourceMessageID), \(request.sourceInboundID), \(request.wording), \(request.note))
            RETURNING id
            """, as: Int64.self) ?? 0
        var effect = ConsentEffect(old: old, ledgerID: ledgerID)
        switch request.state {
        case .optedOut:
            effect.canceled = try await transitions.cancelPending(
                org: request.org, number: request.number, states: [.queued, .scheduled, .awaitingConsent], kinds: nil,
                reason: .optedOut, detail: "the recipient opted out (consent ledger row \(ledgerID))"
            )
        case .optedIn:
            effect.released = try await transitions.releaseAwaitingConsent(
                org: request.org, number: request.number, detail: "the recipient opted in (consent ledger row \(ledgerID))"
            )
            effect.canceled = try await transitions.cancelPending(
                org: request.org, number: request.number, states: [.queued, .scheduled], kinds: [.optInRequest],
                reason: .alreadyOptedIn, detail: "the recipient opted in before this request went out"
            )
        case .unknown:
            break
        }
        return effect
    }

    static func recordCarrierOptOut(org: String, number: String, messageID: Int64, transitions: PostgresTransitions) async throws {
        _ = try await apply(ConsentRequest(
            org: org, number: number, state: .optedOut, type: .smsResponse, changedBy: ConsentChange.contactByReply,
            sourceMessageID: messageID, note: "carrier error 21610: the recipient unsubscribed at the carrier"
        ), transitions: transitions)
    }

    static func history(org: String, number: String, in session: PostgresSession) async throws -> [ConsentChange] {
        try await session.rows("""
            SELECT id, at, old_state, new_state, consent_type, changed_by, source_message_id, source_inbound_id, wording, note
            FROM consent_ledger WHERE org_id = \(org) AND number = \(number) ORDER BY id
            """).map { row in
            let (id, at, old, new, type, changedBy, message, inbound, wording, note) = try row.decode(
                (Int64, Int64, String, String, String, String, Int64?, Int64?, String?, String?).self)
            return ConsentChange(
                id: id, at: Date(millis: at), old: ConsentState(rawValue: old) ?? .unknown, new: ConsentState(rawValue: new) ?? .unknown,
                type: ConsentType(rawValue: type) ?? .api, changedBy: changedBy, sourceMessageID: message, sourceInboundID: inbound,
                wording: wording, note: note
            )
        }
    }
}

extension PostgresQueue {
    /// A staff or API consent change: one ledger row, and the number's pending messages canceled
    /// (opt-out) or released (opt-in).
    public func setConsent(_ request: ConsentRequest, now: Date) async throws -> ConsentEffect {
        try await write { session in try await PostgresConsentLedger.apply(request, transitions: PostgresTransitions(session, now: now)) }
    }

    /// Many numbers at once, in one transaction.
    public func setConsent(_ requests: [ConsentRequest], now: Date) async throws {
        try await write { session in
            let transitions = PostgresTransitions(session, now: now)
            for request in requests { _ = try await PostgresConsentLedger.apply(request, transitions: transitions) }
        }
    }

    public func consent(org: String, number: String) async throws -> ConsentState {
        try await read { session in try await PostgresConsentLedger.current(org: org, number: number, in: session) }
    }

    public func consentHistory(org: String, number: String) async throws -> [ConsentChange] {
        try await read { session in try await PostgresConsentLedger.history(org: org, number: number, in: session) }
    }
}
