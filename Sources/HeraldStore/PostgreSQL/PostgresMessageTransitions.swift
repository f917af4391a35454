import Foundation
import HeraldCore
import PostgresNIO

/// The one writer of `message` rows' state and of `message_event` in the PostgreSQL store, as
/// `MessageTransitions` is in SQLite's: every transition is checked against Core's state machine
/// (`MessageState.canMove`), guarded in SQL by the state it leaves, and written with its event in
/// the caller's transaction. A row that left that state meanwhile (a status callback overtook a
/// post's answer, another instance got there first) is not touched and gets no event. Nothing
/// else in the PostgreSQL store writes `UPDATE message … SET state`.
final class PostgresTransitions: Sendable {
    let session: PostgresSession
    /// The transaction's instant, Unix milliseconds.
    let at: Int64
    /// Seconds from `sent` to a text's first lookup by sid (`[reconcile] after`).
    let reconcileAfter: TimeInterval

    init(_ session: PostgresSession, at: Int64, reconcileAfter: TimeInterval = ReconcileSchedule.standard.after) {
        self.session = session
        self.at = at
        self.reconcileAfter = reconcileAfter
    }

    convenience init(_ session: PostgresSession, now: Date, reconcileAfter: TimeInterval = ReconcileSchedule.standard.after) {
        self.init(session, at: now.millis, reconcileAfter: reconcileAfter)
    }

    private var firstLookup: Int64 { at + Int64(reconcileAfter * 1000) }

    private func check(_ id: Int64, _ from: MessageState?, _ to: MessageState) throws {
        let allowed = from.map { $0.canMove(to: to) } ?? MessageState.created.contains(to)
        guard allowed else { throw MessageTransitions.ForbiddenTransition(id: id, from: from, to: to) }
    }

    /// One event row; every writer below calls it right after the change it records.
    func event(
        _ id: Int64, from: MessageState?, to: MessageState, reason: EventReason? = nil, detail: String? = nil,
        httpStatus: Int? = nil, errorCode: Int? = nil, carrierStatus: String? = nil
    ) async throws {
        try await session.execute("""
            INSERT INTO message_event (message_id, at, from_state, to_state, reason, detail, http_status, error_code, carrier_status)
            VALUES (\(id), \(at), \(from?.rawValue), \(to.rawValue), \(reason?.code), \(detail), \(httpStatus), \(errorCode), \(carrierStatus))
            """)
    }
}

// MARK: - Creation

extension PostgresTransitions {
    func create(_ message: NewMessage) async throws {
        try check(message.id, nil, message.state)
        try await session.execute("""
            INSERT INTO message (id, org_id, user_id, from_number, to_number, body, kind, priority, state, held_reason,
                reason, detail, not_before, expires_at, segments, encoding, idempotency_key, carrier_key, external_ref,
                created_at, updated_at, final_at, broadcast_id)
            VALUES (\(message.id), \(message.orgID), \(message.userID), \(message.from), \(message.to), \(message.body),
                \(message.kind), \(message.priority), \(message.state.rawValue), \(message.heldReason?.rawValue),
                \(message.reason?.code), \(message.detail), \(message.notBefore.millis), \(message.expiresAt?.millis), \(message.segments),
                \(message.encoding?.rawValue), \(message.idempotencyKey), \(message.carrierKey), \(message.externalRef), \(at), \(at),
                \(message.state.isFinal ? at : nil), \(message.broadcastID))
            """)
        try await event(message.id, from: nil, to: message.state, reason: message.eventReason ?? message.reason,
                        detail: message.eventDetail ?? message.detail)
    }
}

// MARK: - Held, expired, canceled

extension PostgresTransitions {
    /// Holds a message for later as `scheduled`; `detail` precedes "not before …" in its event.
    @discardableResult
    func hold(_ id: Int64, from: MessageState, until: Date, reason: HeldReason, detail: String?) async throws -> Bool {
        try await hold([Hold(id: id, from: from, until: until, reason: reason, detail: detail)]) == 1
    }

    /// A hold a claim decided, written with the claim's others by `hold(_:)`.
    struct Hold {
        var id: Int64
        var from: MessageState
        var until: Date
        var reason: HeldReason
        var detail: String?
    }

    /// Holds many messages with one UPDATE and one INSERT: a claim holds more texts than it sends
    /// (each to its sender's rate slot), and two round trips each were most of a claim's
    /// statements. Returns how many moved.
    @discardableResult
    func hold(_ holds: [Hold]) async throws -> Int {
        guard !holds.isEmpty else { return 0 }
        for hold in holds { try check(hold.id, hold.from, .scheduled) }
        let ids = holds.map(\.id)
        let froms = holds.map(\.from.rawValue)
        let untils = holds.map(\.until.millis)
        let reasons = holds.map(\.reason.rawValue)
        let moved = try await session.values("""
            UPDATE message SET state = 'scheduled', not_before = v.until, held_reason = v.reason, updated_at = \(at)
            FROM unnest(\(ids)::bigint[], \(froms)::text[], \(untils)::bigint[], \(reasons)::text[]) AS v(id, from_state, until, reason)
            WHERE message.id = v.id AND message.state = v.from_state
            RETURNING message.id
            """, as: Int64.self)
        guard !moved.isEmpty else { return 0 }
        let codes = holds.map { EventReason.held($0.reason).code }
        let details = holds.map { hold in (hold.detail.map { $0 + "; " } ?? "") + "not before \(Timestamp.format(hold.until))" }
        try await session.execute("""
            INSERT INTO message_event (message_id, at, from_state, to_state, reason, detail)
            SELECT v.id, \(at), v.from_state, 'scheduled', v.reason, v.detail
            FROM unnest(\(ids)::bigint[], \(froms)::text[], \(codes)::text[], \(details)::text[]) WITH ORDINALITY AS v(id, from_state, reason, detail, n)
            WHERE v.id = ANY(\(moved)) ORDER BY v.n
            """)
        return moved.count
    }

    /// Ends a message Herald will not send: `expired` or `canceled` (or `failed` after a post).
    @discardableResult
    func end(_ id: Int64, from: MessageState, to final: MessageState, reason: EventReason, detail: String,
             httpStatus: Int? = nil, errorCode: Int? = nil) async throws -> Bool {
        try check(id, from, final)
        guard try await session.changes("""
            UPDATE message SET state = \(final.rawValue), held_reason = NULL, reason = \(reason.code), detail = \(detail),
                error_code = COALESCE(\(errorCode)::integer, error_code), final_at = \(at), updated_at = \(at)
            WHERE id = \(id) AND state = \(from.rawValue) RETURNING 1
            """) == 1 else { return false }
        try await event(id, from: from, to: final, reason: reason, detail: detail, httpStatus: httpStatus, errorCode: errorCode)
        return true
    }

    /// A journey whose recipient's consent lapsed waits for it again.
    func awaitConsent(_ id: Int64, from: MessageState, detail: String) async throws {
        try check(id, from, .awaitingConsent)
        guard try await session.changes("""
            UPDATE message SET state = 'awaiting_consent', held_reason = 'awaiting_consent', updated_at = \(at)
            WHERE id = \(id) AND state = \(from.rawValue) RETURNING 1
            """) == 1 else { return }
        try await event(id, from: from, to: .awaitingConsent, reason: .held(.awaitingConsent), detail: detail)
    }

    /// Cancels every message to `number` in `org` still in one of `states` (of `kinds`, or of
    /// every kind but `system`: Herald's own answers are owed to the contact). Returns their ids.
    func cancelPending(
        org: String, number: String, states: [MessageState], kinds: [MessageKind]?, reason: EventReason, detail: String
    ) async throws -> [Int64] {
        let kindFilter = kinds.map { " AND kind IN (\(SQLText.list($0.map(\.rawValue))))" } ?? " AND kind != 'system'"
        let rows = try await session.rows("""
            SELECT id, state FROM message WHERE to_number = \(number) AND org_id = \(org)
            AND state IN (\(unescaped: SQLText.list(states.map(\.rawValue))))\(unescaped: kindFilter) ORDER BY id
            """)
        var canceled: [Int64] = []
        for row in rows {
            let (id, state) = try row.decode((Int64, String).self)
            if try await end(id, from: MessageState(rawValue: state) ?? .queued, to: .canceled, reason: reason, detail: detail) {
                canceled.append(id)
            }
        }
        return canceled
    }

    /// Queues every message to `number` in `org` that waited for consent; the claim applies the
    /// sending window. Returns their ids, oldest first.
    func releaseAwaitingConsent(org: String, number: String, detail: String) async throws -> [Int64] {
        try check(0, .awaitingConsent, .queued)
        let ids = try await session.values("""
            UPDATE message SET state = 'queued', held_reason = NULL, not_before = \(at), updated_at = \(at)
            WHERE to_number = \(number) AND org_id = \(org) AND state = 'awaiting_consent'
            RETURNING id
            """, as: Int64.self).sorted()
        for id in ids {
            try await event(id, from: .awaitingConsent, to: .queued, reason: .optedIn, detail: detail)
        }
        return ids
    }

    /// Makes messages held for `reason` due now, without a transition (see MessageTransitions.releaseHeld).
    func releaseHeld(_ reason: HeldReason, org: String? = nil, user: String? = nil, from number: String? = nil) async throws -> Int {
        try await session.changes("""
            UPDATE message SET not_before = \(at)
            WHERE state = 'scheduled' AND held_reason = \(reason.rawValue)
              AND (\(org)::text IS NULL OR org_id = \(org)) AND (\(user)::text IS NULL OR user_id = \(user))
              AND (\(number)::text IS NULL OR from_number = \(number))
            RETURNING 1
            """)
    }
}

// MARK: - Claims and posts

extension PostgresTransitions {
    /// Marks the picked messages `sending` (one more attempt each), one statement per state they
    /// leave. Messages picked unmetered or free are marked charged 0, so they are never charged later.
    func markSending(_ picks: [SendingPick], by instance: String?) async throws {
        guard !picks.isEmpty else { return }
        let charged = picks.filter(\.charged).map(\.id)
        for from in MessageState.claimable {
            let ids = picks.filter { $0.from == from }.map(\.id)
            guard !ids.isEmpty else { continue }
            try check(ids[0], from, .sending)
            try await session.execute("""
                UPDATE message SET state = 'sending', attempts = attempts + 1, held_reason = NULL, updated_at = \(at),
                    claimed_by = \(instance), credits_charged = CASE WHEN id = ANY(\(charged)) THEN segments ELSE COALESCE(credits_charged, 0) END
                WHERE id = ANY(\(ids)) AND state = \(from.rawValue)
                """)
            try await session.execute("""
                INSERT INTO message_event (message_id, at, from_state, to_state)
                SELECT v.id, \(at), \(from.rawValue), 'sending' FROM unnest(\(ids)::bigint[]) WITH ORDINALITY AS v(id, n) ORDER BY v.n
                """)
        }
    }

    /// Moves posted messages still `sending` to `sent`, with one UPDATE and one INSERT for the
    /// whole batch. Returns the ids moved; a message a status callback already moved on keeps its
    /// state and gets its sid filled in if it had none.
    func recordAccepted(_ accepted: [MessageTransitions.Acceptance]) async throws -> Set<Int64> {
        guard !accepted.isEmpty else { return [] }
        try check(accepted[0].id, .sending, .sent)
        // Arrays hold no NULLs here: -1 stands for "not said" and NULLIF turns it back.
        let ids = accepted.map(\.id)
        let sids = accepted.map(\.sid)
        let statuses = accepted.map(\.carrierStatus)
        let segments = accepted.map { $0.segments ?? -1 }
        let https = accepted.map { $0.httpStatus ?? -1 }
        let moved = Set(try await session.values("""
            UPDATE message SET state = 'sent', carrier_sid = v.sid, carrier_status = v.status,
                carrier_segments = NULLIF(v.segments, -1), sent_at = \(at), updated_at = \(at), error_code = NULL, detail = NULL,
                reconcile_at = \(firstLookup)
            FROM unnest(\(ids)::bigint[], \(sids)::text[], \(statuses)::text[], \(segments)::bigint[]) AS v(id, sid, status, segments)
            WHERE message.id = v.id AND message.state = 'sending'
            RETURNING message.id
            """, as: Int64.self))
        try await session.execute("""
            INSERT INTO message_event (message_id, at, from_state, to_state, http_status, carrier_status)
            SELECT v.id, \(at), 'sending', 'sent', NULLIF(v.http, -1), v.status
            FROM unnest(\(ids)::bigint[], \(statuses)::text[], \(https)::bigint[]) WITH ORDINALITY AS v(id, status, http, n)
            WHERE v.id = ANY(\(Array(moved))) ORDER BY v.n
            """)
        for item in accepted where !moved.contains(item.id) {
            try await session.execute("UPDATE message SET carrier_sid = COALESCE(carrier_sid, \(item.sid)) WHERE id = \(item.id)")
        }
        return moved
    }

    /// A post that failed for now: `scheduled` again until `until`. False when a callback moved the message meanwhile.
    @discardableResult
    func retryLater(_ id: Int64, until: Date, reason: HeldReason, detail: String, httpStatus: Int?) async throws -> Bool {
        try check(id, .sending, .scheduled)
        guard try await session.changes("""
            UPDATE message SET state = 'scheduled', not_before = \(until.millis), held_reason = \(reason.rawValue), detail = \(detail),
                updated_at = \(at)
            WHERE id = \(id) AND state = 'sending' RETURNING 1
            """) == 1 else { return false }
        try await event(id, from: .sending, to: .scheduled, reason: .held(reason),
                        detail: detail + Self.nextAttempt(until), httpStatus: httpStatus)
        return true
    }

    private static func nextAttempt(_ until: Date) -> String {
        until >= UnknownOutcomePolicy.heldUntil ? "" : "; next attempt \(Timestamp.format(until))"
    }

    /// After a crash, messages left `sending` are each held `reason` until `until`. Returns their ids.
    func holdSending(of owners: SendingOwners, until: Date, reason: HeldReason, detail: String) async throws -> [Int64] {
        try check(0, .sending, .scheduled)
        let (all, mine, gone) = owners.parameters
        let ids = try await session.values("""
            UPDATE message SET state = 'scheduled', held_reason = \(reason.rawValue), not_before = \(until.millis), updated_at = \(at),
                claimed_by = NULL
            WHERE state = 'sending' AND (\(all) OR claimed_by = \(mine) OR (\(gone != nil) AND (claimed_by IS NULL OR NOT EXISTS (
                SELECT 1 FROM instance WHERE instance.id = message.claimed_by AND instance.expires_at > \(gone ?? 0)))))
            RETURNING id
            """, as: Int64.self).sorted()
        for id in ids {
            try await event(id, from: .sending, to: .scheduled, reason: .held(reason), detail: detail + Self.nextAttempt(until))
        }
        return ids
    }

    /// After a crash, messages left `sending` are queued again, to be re-posted with the same key.
    func requeueSending(of owners: SendingOwners, detail: String) async throws -> [Int64] {
        try check(0, .sending, .queued)
        let (all, mine, gone) = owners.parameters
        let ids = try await session.values("""
            UPDATE message SET state = 'queued', not_before = \(at), updated_at = \(at), claimed_by = NULL
            WHERE state = 'sending' AND (\(all) OR claimed_by = \(mine) OR (\(gone != nil) AND (claimed_by IS NULL OR NOT EXISTS (
                SELECT 1 FROM instance WHERE instance.id = message.claimed_by AND instance.expires_at > \(gone ?? 0)))))
            RETURNING id
            """, as: Int64.self).sorted()
        for id in ids {
            try await event(id, from: .sending, to: .queued, reason: .requeuedAfterCrash, detail: detail)
        }
        return ids
    }

    /// Gives a message's credit charge back to its user, once.
    func refundCredits(_ id: Int64) async throws {
        try await session.execute("""
            UPDATE org_user SET credits = credits + m.credits_charged
            FROM (SELECT org_id, user_id, credits_charged FROM message WHERE id = \(id) AND credits_charged > 0) AS m
            WHERE org_user.org_id = m.org_id AND org_user.id = m.user_id AND org_user.credits IS NOT NULL
            """)
        try await session.execute("UPDATE message SET credits_charged = 0 WHERE id = \(id) AND credits_charged > 0")
    }
}

// MARK: - The carrier's reports

extension PostgresTransitions {
    func applyReport(_ id: Int64, from: MessageState, to target: MessageState, _ report: CarrierReport) async throws {
        try check(id, from, target)
        let partOf: Int64? = report.clientSegmented ? id : nil
        guard try await session.changes("""
            UPDATE message SET state = \(target.rawValue),
                carrier_sid = COALESCE(carrier_sid, (SELECT carrier_sid FROM message_part WHERE message_id = \(partOf) AND part = 1), \(report.sid)),
                carrier_status = \(report.carrierStatus), carrier_segments = COALESCE(\(report.segments)::integer, carrier_segments),
                error_code = COALESCE(\(report.errorCode)::integer, error_code),
                held_reason = NULL, sent_at = COALESCE(sent_at, \(at)), updated_at = \(at), final_at = \(target.isFinal ? at : nil),
                reconcile_at = CASE WHEN \(target.rawValue) = 'sent' THEN COALESCE(reconcile_at, \(firstLookup)) ELSE reconcile_at END
            WHERE id = \(id) AND state = \(from.rawValue) RETURNING 1
            """) == 1 else { return }
        try await event(id, from: from, to: target, reason: report.reason, detail: report.detail, errorCode: report.errorCode,
                        carrierStatus: report.carrierStatus)
    }
}

// MARK: - Reconciliation

extension PostgresTransitions {
    /// A lookup found the text still `sent`: asked again at `next`, without a transition.
    func reconcileLater(_ id: Int64, at next: Date, lookups: Int) async throws {
        try await session.execute("""
            UPDATE message SET reconcile_at = \(next.millis), reconcile_lookups = \(lookups) WHERE id = \(id) AND state = 'sent'
            """)
    }

    /// The carrier still calls the text `sent` at the give-up age: it stays `sent`, says so in an
    /// event, is never looked up again, and counts as final for retention from now on.
    @discardableResult
    func endReconciliation(_ id: Int64, lookups: Int, detail: String) async throws -> Bool {
        try check(id, .sent, .sent)
        guard try await session.changes("""
            UPDATE message SET reconcile_at = NULL, reconcile_lookups = \(lookups), final_at = \(at), updated_at = \(at)
            WHERE id = \(id) AND state = 'sent' RETURNING 1
            """) == 1 else { return false }
        try await event(id, from: .sent, to: .sent, reason: .reconcileEnded, detail: detail)
        return true
    }

    /// At start, texts still `sent` are each looked up within `spread` seconds (spread by id).
    func reconcileSoon(spread: TimeInterval) async throws -> Int {
        let window = max(Int64(spread * 1000), 1)
        return try await session.changes("""
            UPDATE message SET reconcile_at = \(at) + (id % \(window))
            WHERE state = 'sent' AND (reconcile_at IS NULL OR reconcile_at > \(at) + \(window)) AND final_at IS NULL
            RETURNING 1
            """)
    }
}

// MARK: - Operators

extension PostgresTransitions {
    /// Sends a failed, undelivered or expired message again with a fresh idempotency key and a
    /// clean attempt count; an expiry already past is cleared.
    func operatorRetry(_ id: Int64, from: MessageState, carrierKey: String, detail: String) async throws {
        try check(id, from, .queued)
        guard try await session.changes("""
            UPDATE message SET state = 'queued', held_reason = NULL, reason = NULL, detail = NULL, error_code = NULL,
                carrier_status = NULL, not_before = \(at), attempts = 0, final_at = NULL, updated_at = \(at),
                carrier_key = \(carrierKey), expires_at = CASE WHEN expires_at <= \(at) THEN NULL ELSE expires_at END
            WHERE id = \(id) AND state = \(from.rawValue) RETURNING 1
            """) == 1 else { return }
        try await event(id, from: from, to: .queued, reason: .operatorRetry, detail: detail)
    }

    /// A held message made due now, as it is (same key, same attempts): `scheduled` → `queued`.
    func release(_ id: Int64, from: MessageState, reason: EventReason, detail: String) async throws {
        try check(id, from, .queued)
        guard try await session.changes("""
            UPDATE message SET state = 'queued', held_reason = NULL, not_before = \(at), updated_at = \(at)
            WHERE id = \(id) AND state = \(from.rawValue) RETURNING 1
            """) == 1 else { return }
        try await event(id, from: from, to: .queued, reason: reason, detail: detail)
    }
}

// MARK: - Retention

extension PostgresTransitions {
    /// Empties the bodies of at most `limit` messages final before `cutoff`, oldest first.
    func purgeBodies(finalBefore cutoff: Date, limit: Int) async throws -> Int {
        let states = MessageState.allCases.filter(\.isFinal).map(\.rawValue) + ["sent"]
        return try await session.changes("""
            UPDATE message SET body = '', body_purged_at = \(at)
            WHERE id IN (SELECT id FROM message
                         WHERE final_at IS NOT NULL AND body_purged_at IS NULL AND final_at < \(cutoff.millis)
                           AND state = ANY(\(states))
                         ORDER BY final_at LIMIT \(limit))
            RETURNING 1
            """)
    }
}
