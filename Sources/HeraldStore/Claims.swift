import Foundation
import GRDB
import HeraldCore

/// A due message as the dispatch rules see it: ids, times and counts, never the body.
public struct ClaimCandidate: Sendable {
    public var id: Int64
    public var orgID: String
    /// The user the message was queued for: a number re-provisioned to someone else never
    /// sends the earlier owner's texts.
    public var userID: String?
    public var from: String
    public var to: String
    public var kind: MessageKind
    public var segments: Int
    public var heldReason: HeldReason?
    public var notBefore: Date
    public var expiresAt: Date?
    /// When this org's earlier held-kind texts to this number went out (or, still in flight, were
    /// claimed), this claim's own earlier picks included; filled only when `lookback` asked.
    public var recentSends: [Date] = []
}

public enum ClaimVerdict: Sendable, Equatable {
    case send
    /// `detail` explains the hold in its event when the reason alone would not.
    case hold(until: Date, reason: HeldReason, detail: String? = nil)
    case expire
}

/// A message now durably `sending`, with what the POST needs.
public struct ClaimedMessage: Sendable, Equatable {
    public var id: Int64
    public var orgID: String
    public var userID: String
    public var from: String
    public var to: String
    public var body: String
    public var segments: Int
    /// Posts made so far, this one included.
    public var attempts: Int
    public var carrierKey: String
    public var expiresAt: Date?
}

extension QueueDatabase {
    /// Claims up to `limit` due messages in one transaction, highest priority first and oldest
    /// `not_before` first within a priority. `decide` (pure rules, called inside the transaction)
    /// may hold a candidate for later instead; only `.send` candidates become `sending`.
    /// - Parameters:
    ///   - recording: POST results to write in the same transaction, so that under load one commit
    ///     (one fsync) serves both halves of the dispatch cycle.
    ///   - lookback: how far back `decide` needs a candidate's `recentSends` (a frequency cap's
    ///     period), or nil, the common case, when no rule counts them and no query is made.
    public func claimDue(
        now: Date, limit: Int,
        recording: (records: [DispatchRecord], usageMonth: @Sendable (String) -> String)? = nil,
        lookback: @escaping @Sendable (ClaimCandidate) -> TimeInterval? = { _ in nil },
        decide: @escaping @Sendable (ClaimCandidate) -> ClaimVerdict
    ) async throws -> [ClaimedMessage] {
        try await pool.write { db in
            let at = now.millis
            if let recording {
                try Self.write(recording.records, at: at, usageMonth: recording.usageMonth, in: db)
            }
            let events = try EventLog(db, at: at)
            var claimed: [ClaimedMessage] = []
            var examined = 0
            let select = try db.cachedStatement(sql: """
                SELECT id, org_id, user_id, from_number, to_number, body, kind, segments, held_reason, not_before,
                    expires_at, attempts, carrier_key, state, credits_charged
                FROM message INDEXED BY message_due
                WHERE state IN ('queued', 'scheduled') AND priority = ? AND not_before <= ?
                ORDER BY not_before LIMIT ?
                """)
            // Messages going out are marked in one statement per batch, not one per message.
            var sending: [MessageState: [Int64]] = [:]
            let hold = try db.cachedStatement(sql: """
                UPDATE message SET state = 'scheduled', not_before = ?, held_reason = ?, updated_at = ? WHERE id = ?
                """)
            let expire = try db.cachedStatement(sql: """
                UPDATE message SET state = 'expired', held_reason = NULL, final_at = ?, updated_at = ? WHERE id = ?
                """)
            let awaitConsent = try db.cachedStatement(sql: """
                UPDATE message SET state = 'awaiting_consent', held_reason = 'awaiting_consent', updated_at = ? WHERE id = ?
                """)
            let withdraw = try db.cachedStatement(sql: """
                UPDATE message SET state = 'canceled', held_reason = NULL, reason = ?, detail = ?, final_at = ?, updated_at = ?
                WHERE id = ?
                """)
            var history = RecipientHistory()
            var credits = CreditBook()
            // Messages whose segments this claim took from a metered user's credits.
            var charged: [Int64] = []
            for priority in MessageKind.priorities where examined < limit {
                // Columns by position: this runs for every claimed message.
                let rows = try Row.fetchAll(select, arguments: [priority, at, limit - examined])
                examined += rows.count
                for row in rows {
                    let id: Int64 = row[0]
                    let state = MessageState(rawValue: row[13]) ?? .queued
                    let expiresAt = (row[10] as Int64?).map(Date.init(millis:))
                    var candidate = ClaimCandidate(
                        id: id, orgID: row[1], userID: row[2], from: row[3], to: row[4],
                        kind: MessageKind(rawValue: row[6]) ?? .bulk, segments: row[7] ?? 1,
                        heldReason: (row[8] as String?).flatMap(HeldReason.init(rawValue:)),
                        notBefore: Date(millis: row[9]), expiresAt: expiresAt
                    )
                    let counted = lookback(candidate)
                    if let counted {
                        candidate.recentSends = try history.sends(org: candidate.orgID, to: candidate.to, since: now - counted, in: db)
                    }
                    // Consent again (SPEC §6): a STOP that arrived since ingest always wins.
                    if candidate.kind.needsConsent {
                        let consent = try ConsentLedger.current(org: candidate.orgID, number: candidate.to, in: db)
                        switch ConsentGate.verdict(kind: candidate.kind, consent: consent) {
                        case .proceed:
                            break
                        case .awaitConsent:
                            try awaitConsent.execute(arguments: [at, id])
                            try events.append(Transition(id, from: state, to: .awaitingConsent, reason: HeldReason.awaitingConsent.rawValue,
                                                           detail: "the recipient's consent is \(consent.rawValue) at send time"))
                            continue
                        case let .refuse(consent):
                            let reason = consent == .optedOut ? "opted_out" : "no_consent"
                            let detail = "the recipient's consent is \(consent.rawValue) at send time"
                            try withdraw.execute(arguments: [reason, detail, at, at, id])
                            try events.append(Transition(id, from: state, to: .canceled, reason: reason, detail: detail))
                            continue
                        }
                    }
                    // Credits before the other rules, so a text that cannot be paid for takes no rate slot;
                    // charged only once it goes, and only at its first claim.
                    let userID: String = row[2] ?? ""
                    let charge = (row[14] as Int?) == nil && CreditBook.charges(candidate.kind) ? candidate.segments : 0
                    var verdict: ClaimVerdict
                    if let expiresAt, expiresAt <= now {
                        verdict = .expire
                    } else if charge > 0, let left = try credits.available(org: candidate.orgID, user: userID, in: db), left < charge {
                        verdict = .hold(until: now + CreditBook.recheck, reason: .noCredits,
                                        detail: "user \(userID) has \(max(left, 0)) credits, this text needs \(charge) segments; heraldctl credits allocate releases it")
                    } else {
                        verdict = decide(candidate)
                    }
                    switch verdict {
                    case .send:
                        if charge > 0, try credits.available(org: candidate.orgID, user: userID, in: db) != nil {
                            credits.charge(org: candidate.orgID, user: userID, segments: charge)
                            charged.append(id)
                        }
                        if counted != nil { history.picked(org: candidate.orgID, to: candidate.to, at: now) }
                        sending[state, default: []].append(id)
                        claimed.append(ClaimedMessage(
                            id: id, orgID: candidate.orgID, userID: row[2], from: candidate.from, to: candidate.to,
                            body: row[5], segments: candidate.segments, attempts: (row[11] as Int) + 1,
                            carrierKey: row[12], expiresAt: expiresAt
                        ))
                    case let .hold(until, reason, detail):
                        try hold.execute(arguments: [until.millis, reason.rawValue, at, id])
                        try events.append(Transition(id, from: state, to: .scheduled, reason: reason.rawValue,
                                                       detail: (detail.map { $0 + "; " } ?? "") + "not before \(Timestamp.format(until))"))
                    case .expire:
                        try expire.execute(arguments: [at, at, id])
                        try events.append(Transition(id, from: state, to: .expired, reason: "expired",
                                                       detail: "expires_at passed before it could be sent"))
                    }
                }
            }
            let chargedList = "[" + charged.map(String.init).joined(separator: ",") + "]"
            for (from, ids) in sending {
                let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
                // 0 marks a message claimed unmetered (or free): it is never charged later.
                try db.cachedStatement(sql: """
                    UPDATE message SET state = 'sending', attempts = attempts + 1, held_reason = NULL, updated_at = ?1,
                        credits_charged = CASE WHEN id IN (SELECT value FROM json_each(?3)) THEN segments ELSE COALESCE(credits_charged, 0) END
                    WHERE id IN (SELECT value FROM json_each(?2))
                    """).execute(arguments: [at, list, chargedList])
                try db.cachedStatement(sql: """
                    INSERT INTO message_event (message_id, at, from_state, to_state)
                    SELECT value, ?1, ?2, 'sending' FROM json_each(?3) ORDER BY key
                    """).execute(arguments: [at, from.rawValue, list])
            }
            try credits.write(in: db)
            return claimed
        }
    }

    /// The earliest `not_before` among claimable messages, so an idle dispatcher sleeps exactly
    /// until something is due.
    public func nextDue() async throws -> Date? {
        try await pool.read { db in
            var earliest: Int64?
            let statement = try db.cachedStatement(sql: """
                SELECT not_before FROM message INDEXED BY message_due
                WHERE state IN ('queued', 'scheduled') AND priority = ? ORDER BY not_before LIMIT 1
                """)
            for priority in MessageKind.priorities {
                if let value = try Int64.fetchOne(statement, arguments: [priority]) {
                    earliest = min(earliest ?? value, value)
                }
            }
            return earliest.map(Date.init(millis:))
        }
    }

    /// After a crash, messages left `sending` may or may not have reached the carrier: queue them
    /// again; the re-post carries the same idempotency key, so the carrier takes each once.
    @discardableResult
    public func reconcileSending(now: Date) async throws -> Int {
        try await pool.write { db in
            let at = now.millis
            let events = try EventLog(db, at: at)
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM message WHERE state = 'sending'")
            for id in ids {
                try events.append(Transition(id, from: .sending, to: .queued, reason: "reconcile",
                                               detail: "left sending by an earlier run; re-posting with the same idempotency key"))
            }
            try db.execute(sql: "UPDATE message SET state = 'queued', not_before = ?, updated_at = ? WHERE state = 'sending'",
                           arguments: [at, at])
            return ids.count
        }
    }
}
