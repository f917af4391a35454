import Foundation
import GRDB
import HeraldCore

/// The append-only consent ledger and what a change sets in motion (docs/consent.md). Everything runs
/// inside the caller's transaction, so a change, its ledger row and the messages it cancels or
/// releases commit together.
enum ConsentLedger {
    static func current(org: String, number: String, in db: Database) throws -> ConsentState {
        let state = try db.cachedStatement(sql: "SELECT state FROM consent WHERE org_id = ? AND number = ?").fetchText(org, number)
        return state.flatMap(ConsentState.init(rawValue:)) ?? .unknown
    }

    /// Records the change unless the number is already in that state, then cancels or releases
    /// the number's pending messages in that org.
    static func apply(_ request: ConsentRequest, transitions: MessageTransitions) throws -> ConsentEffect {
        let db = transitions.db
        let old = try current(org: request.org, number: request.number, in: db)
        guard old != request.state else { return ConsentEffect(old: old) }
        try db.execute(sql: """
            INSERT INTO consent_ledger (org_id, number, at, old_state, new_state, consent_type, changed_by,
                source_message_id, source_inbound_id, wording, note)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [request.org, request.number, transitions.at, old.rawValue, request.state.rawValue, request.type.rawValue,
                             request.changedBy, request.sourceMessageID, request.sourceInboundID, request.wording, request.note])
        let ledgerID = db.lastInsertedRowID
        var effect = ConsentEffect(old: old, ledgerID: ledgerID)
        switch request.state {
        case .optedOut:
            // Everything still waiting to go to this number from this org, Herald's own answers aside.
            effect.canceled = try transitions.cancelPending(
                org: request.org, number: request.number, states: [.queued, .scheduled, .awaitingConsent], kinds: nil,
                reason: .optedOut, detail: "the recipient opted out (consent ledger row \(ledgerID))"
            )
        case .optedIn:
            effect.released = try transitions.releaseAwaitingConsent(
                org: request.org, number: request.number, detail: "the recipient opted in (consent ledger row \(ledgerID))"
            )
            effect.canceled = try transitions.cancelPending(
                org: request.org, number: request.number, states: [.queued, .scheduled], kinds: [.optInRequest],
                reason: .alreadyOptedIn, detail: "the recipient opted in before this request went out"
            )
        case .unknown:
            break
        }
        return effect
    }

    static func recordCarrierOptOut(org: String, number: String, messageID: Int64, transitions: MessageTransitions) throws {
        _ = try apply(ConsentRequest(
            org: org, number: number, state: .optedOut, type: .smsResponse, changedBy: ConsentChange.contactByReply,
            sourceMessageID: messageID, note: "carrier error 21610: the recipient unsubscribed at the carrier"
        ), transitions: transitions)
    }

    static func history(org: String, number: String, in db: Database) throws -> [ConsentChange] {
        try Row.fetchAll(db, sql: """
            SELECT id, at, old_state, new_state, consent_type, changed_by, source_message_id, source_inbound_id, wording, note
            FROM consent_ledger WHERE org_id = ? AND number = ? ORDER BY id
            """, arguments: [org, number]).map { row in
            ConsentChange(
                id: row["id"], at: Date(millis: row["at"]),
                old: ConsentState(rawValue: row["old_state"]) ?? .unknown, new: ConsentState(rawValue: row["new_state"]) ?? .unknown,
                type: ConsentType(rawValue: row["consent_type"]) ?? .api, changedBy: row["changed_by"],
                sourceMessageID: row["source_message_id"], sourceInboundID: row["source_inbound_id"],
                wording: row["wording"], note: row["note"]
            )
        }
    }
}

extension QueueDatabase {
    /// A staff or API consent change (`heraldctl consent set`, contact import): one ledger row,
    /// and the number's pending messages canceled (opt-out) or released (opt-in).
    public func setConsent(_ request: ConsentRequest, now: Date) async throws -> ConsentEffect {
        try await timedWrite { db in try ConsentLedger.apply(request, transitions: MessageTransitions(db, now: now)) }
    }

    /// Many numbers at once, in one transaction: for imports, benchmarks and tests.
    public func setConsent(_ requests: [ConsentRequest], now: Date) async throws {
        try await timedWrite { db in
            let transitions = MessageTransitions(db, now: now)
            for request in requests { _ = try ConsentLedger.apply(request, transitions: transitions) }
        }
    }

    public func consent(org: String, number: String) async throws -> ConsentState {
        try await pool.read { db in try ConsentLedger.current(org: org, number: number, in: db) }
    }

    /// The whole ledger of one number in one org, oldest first.
    public func consentHistory(org: String, number: String) async throws -> [ConsentChange] {
        try await pool.read { db in try ConsentLedger.history(org: org, number: number, in: db) }
    }
}
