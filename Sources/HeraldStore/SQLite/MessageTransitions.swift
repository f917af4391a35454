import Foundation
import GRDB
import HeraldCore

/// The one writer of `message` rows' state and of `message_event` (docs/states.md). Every
/// transition is checked against Core's state machine (`MessageState.canMove`), guarded in SQL
/// by the state it leaves, and written with its event in the caller's transaction. A row that
/// left that state meanwhile (a status callback overtook a post's answer) is not touched and gets
/// no event. Nothing else in the store writes `UPDATE message`.
///
/// Made for one write transaction: statements are prepared once each, on first use.
final class MessageTransitions {
    let db: Database
    /// The transaction's instant, Unix milliseconds.
    let at: Int64
    /// Seconds from `sent` to a text's first lookup by sid (`[reconcile] after`).
    let reconcileAfter: TimeInterval
    private var statements: [Int: Statement] = [:]
    private var directStatements: [Int: DirectStatement] = [:]

    init(_ db: Database, at: Int64, reconcileAfter: TimeInterval = ReconcileSchedule.standard.after) {
        self.db = db
        self.at = at
        self.reconcileAfter = reconcileAfter
    }

    convenience init(_ db: Database, now: Date, reconcileAfter: TimeInterval = ReconcileSchedule.standard.after) {
        self.init(db, at: now.millis, reconcileAfter: reconcileAfter)
    }

    /// When a text that becomes `sent` now is first looked up.
    private var firstLookup: Int64 { at + Int64(reconcileAfter * 1000) }

    /// A programming error: the state machine does not allow the move.
    struct ForbiddenTransition: Error, CustomStringConvertible {
        var id: Int64
        var from: MessageState?
        var to: MessageState
        var description: String { "message \(id): \(from?.rawValue ?? "nothing") -> \(to.rawValue) is not a transition Herald makes" }
    }

    private func check(_ id: Int64, _ from: MessageState?, _ to: MessageState) throws {
        let allowed = from.map { $0.canMove(to: to) } ?? MessageState.created.contains(to)
        guard allowed else { throw ForbiddenTransition(id: id, from: from, to: to) }
    }

    private func statement(_ key: Int, _ sql: @autoclosure () -> String) throws -> Statement {
        if let statement = statements[key] { return statement }
        let statement = try db.cachedStatement(sql: sql())
        statements[key] = statement
        return statement
    }

    /// A statement every text runs, bound straight into SQLite (`DirectStatement`).
    private func direct(_ key: Int, _ sql: @autoclosure () -> String) throws -> DirectStatement {
        if let statement = directStatements[key] { return statement }
        let statement = DirectStatement(try db.cachedStatement(sql: sql()))
        directStatements[key] = statement
        return statement
    }

    /// One event row; every writer below calls it right after the change it records.
    func event(
        _ id: Int64, from: MessageState?, to: MessageState, reason: EventReason? = nil, detail: String? = nil,
        httpStatus: Int? = nil, errorCode: Int? = nil, carrierStatus: String? = nil
    ) throws {
        try direct(0, """
            INSERT INTO message_event (message_id, at, from_state, to_state, reason, detail, http_status, error_code, carrier_status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).run(id, at, from?.rawValue, to.rawValue, reason?.code, detail, httpStatus, errorCode, carrierStatus)
    }
}

// MARK: - Creation

extension MessageTransitions {
    func create(_ message: NewMessage) throws {
        try check(message.id, nil, message.state)
        try direct(1, """
            INSERT INTO message (id, org_id, user_id, from_number, to_number, body, kind, priority, state, held_reason,
                reason, detail, not_before, expires_at, segments, encoding, idempotency_key, carrier_key, external_ref,
                created_at, updated_at, final_at, broadcast_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).run(
            message.id, message.orgID, message.userID, message.from, message.to, message.body,
            message.kind, message.priority, message.state.rawValue, message.heldReason?.rawValue,
            message.reason?.code, message.detail, message.notBefore.millis, message.expiresAt?.millis, message.segments,
            message.encoding?.rawValue, message.idempotencyKey, message.carrierKey, message.externalRef, at, at,
            message.state.isFinal ? at : nil, message.broadcastID
        )
        try event(message.id, from: nil, to: message.state, reason: message.eventReason ?? message.reason,
                  detail: message.eventDetail ?? message.detail)
    }
}

// MARK: - Held, expired, canceled: messages Herald still holds

extension MessageTransitions {
    /// Holds a message for later as `scheduled`; `detail` precedes "not before …" in its event.
    @discardableResult
    func hold(_ id: Int64, from: MessageState, until: Date, reason: HeldReason, detail: String?) throws -> Bool {
        try check(id, from, .scheduled)
        try statement(2, """
            UPDATE message SET state = 'scheduled', not_before = ?, held_reason = ?, updated_at = ? WHERE id = ? AND state = ?
            """).execute(arguments: [until.millis, reason.rawValue, at, id, from.rawValue])
        guard db.changesCount == 1 else { return false }
        try event(id, from: from, to: .scheduled, reason: .held(reason),
                  detail: (detail.map { $0 + "; " } ?? "") + "not before \(Timestamp.format(until))")
        return true
    }

    /// Ends a message Herald will not send: `expired` or `canceled`, with the reason kept in the row.
    @discardableResult
    func end(_ id: Int64, from: MessageState, to final: MessageState, reason: EventReason, detail: String,
             httpStatus: Int? = nil, errorCode: Int? = nil) throws -> Bool {
        try check(id, from, final)
        try statement(3, """
            UPDATE message SET state = ?, held_reason = NULL, reason = ?, detail = ?, error_code = COALESCE(?, error_code),
                final_at = ?, updated_at = ?
            WHERE id = ? AND state = ?
            """).execute(arguments: [final.rawValue, reason.code, detail, errorCode, at, at, id, from.rawValue])
        guard db.changesCount == 1 else { return false }
        try event(id, from: from, to: final, reason: reason, detail: detail, httpStatus: httpStatus, errorCode: errorCode)
        return true
    }

    /// A journey whose recipient's consent lapsed waits for it again.
    func awaitConsent(_ id: Int64, from: MessageState, detail: String) throws {
        try check(id, from, .awaitingConsent)
        try statement(4, """
            UPDATE message SET state = 'awaiting_consent', held_reason = 'awaiting_consent', updated_at = ? WHERE id = ? AND state = ?
            """).execute(arguments: [at, id, from.rawValue])
        guard db.changesCount == 1 else { return }
        try event(id, from: from, to: .awaitingConsent, reason: .held(.awaitingConsent), detail: detail)
    }

    /// Cancels every message to `number` in `org` still in one of `states` (of `kinds`, or of
    /// every kind but `system`: Herald's own answers are owed to the contact). Returns their ids.
    func cancelPending(
        org: String, number: String, states: [MessageState], kinds: [MessageKind]?, reason: EventReason, detail: String
    ) throws -> [Int64] {
        let kindFilter = kinds.map { " AND kind IN (\(SQLText.list($0.map(\.rawValue))))" } ?? " AND kind != 'system'"
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, state FROM message WHERE to_number = ? AND org_id = ? AND state IN (\(SQLText.list(states.map(\.rawValue))))\(kindFilter)
            """, arguments: [number, org])
        var canceled: [Int64] = []
        for row in rows {
            let id: Int64 = row["id"]
            if try end(id, from: MessageState(rawValue: row["state"]) ?? .queued, to: .canceled, reason: reason, detail: detail) {
                canceled.append(id)
            }
        }
        return canceled
    }

    /// Queues every message to `number` in `org` that waited for consent; the claim applies the
    /// sending window, so a release at night still waits. Returns their ids, oldest first.
    func releaseAwaitingConsent(org: String, number: String, detail: String) throws -> [Int64] {
        try check(0, .awaitingConsent, .queued)
        let ids = try Int64.fetchAll(db, sql: """
            UPDATE message SET state = 'queued', held_reason = NULL, not_before = ?, updated_at = ?
            WHERE to_number = ? AND org_id = ? AND state = 'awaiting_consent'
            RETURNING id
            """, arguments: [at, at, number, org]).sorted()
        for id in ids {
            try event(id, from: .awaitingConsent, to: .queued, reason: .optedIn, detail: detail)
        }
        return ids
    }

    /// Makes messages held for `reason` due now, without a transition: the hold ended (an org or
    /// sender resumed, credits allocated, a release refused), and the claim looks at them again.
    /// Narrowed by org, user and sending number where given. Returns how many.
    func releaseHeld(_ reason: HeldReason, org: String? = nil, user: String? = nil, from number: String? = nil) throws -> Int {
        // Literal terms, so SQLite can use the partial index made for credits' holds, whose users
        // can have many held at once.
        var sql = "UPDATE message\(reason == .noCredits ? " INDEXED BY message_no_credits" : "") SET not_before = ?"
            + " WHERE state = 'scheduled' AND held_reason = '\(reason.rawValue)'"
        var arguments: StatementArguments = [at]
        for (column, value) in [("org_id", org), ("user_id", user), ("from_number", number)] {
            guard let value else { continue }
            sql += " AND \(column) = ?"
            _ = arguments.append(contentsOf: [value])
        }
        try db.execute(sql: sql, arguments: arguments)
        return db.changesCount
    }
}

// MARK: - Claims and posts

/// One message a claim picked to post.
struct SendingPick {
    var id: Int64
    var from: MessageState
    /// Whether its segments were charged to its user's credits by this claim.
    var charged: Bool
}

extension MessageTransitions {
    /// Marks the picked messages `sending` (one more attempt each). Messages picked unmetered or
    /// free are marked charged 0, so they are never charged later. One cached statement per row,
    /// bound directly (`Statement.run`): a point update by id costs SQLite a few microseconds,
    /// where the batch as one statement over a JSON list cost as much in parsing the list and in
    /// the temporary table `IN (json_each …)` builds.
    func markSending(_ picks: [SendingPick]) throws {
        let update = try direct(10, """
            UPDATE message SET state = 'sending', attempts = attempts + 1, held_reason = NULL, updated_at = ?1,
                credits_charged = CASE WHEN ?2 THEN segments ELSE COALESCE(credits_charged, 0) END
            WHERE id = ?3 AND state = ?4
            """)
        var checked: Set<MessageState> = []
        for pick in picks {
            if checked.insert(pick.from).inserted { try check(pick.id, pick.from, .sending) }
            try update.run(at, pick.charged, pick.id, pick.from.rawValue)
            guard db.changesCount == 1 else { continue }
            try event(pick.id, from: pick.from, to: .sending)
        }
    }

    /// A post the carrier took, as `recordAccepted` writes it.
    struct Acceptance {
        var id: Int64
        var sid: String
        var carrierStatus: String
        var segments: Int?
        var httpStatus: Int?
    }

    /// Moves posted messages still `sending` to `sent`, a cached statement per row (see
    /// `markSending`). Returns the ids moved; a message a status callback already moved on keeps
    /// its state and gets its sid filled in if it had none.
    func recordAccepted(_ accepted: [Acceptance]) throws -> Set<Int64> {
        guard !accepted.isEmpty else { return [] }
        try check(accepted[0].id, .sending, .sent)
        let update = try direct(12, """
            UPDATE message SET state = 'sent', carrier_sid = ?2, carrier_status = ?3, carrier_segments = ?4, sent_at = ?5,
                updated_at = ?5, error_code = NULL, detail = NULL, reconcile_at = ?6
            WHERE id = ?1 AND state = 'sending'
            """)
        var moved = Set<Int64>(minimumCapacity: accepted.count)
        for item in accepted {
            try update.run(item.id, item.sid, item.carrierStatus, item.segments, at, firstLookup)
            if db.changesCount == 1 {
                moved.insert(item.id)
                try event(item.id, from: .sending, to: .sent, httpStatus: item.httpStatus, carrierStatus: item.carrierStatus)
            } else {
                try statement(14, "UPDATE message SET carrier_sid = COALESCE(carrier_sid, ?) WHERE id = ?").execute(arguments: [item.sid, item.id])
            }
        }
        return moved
    }

    /// A post that failed for now: `scheduled` again until `until`. False when a callback moved the message meanwhile.
    @discardableResult
    func retryLater(_ id: Int64, until: Date, reason: HeldReason, detail: String, httpStatus: Int?) throws -> Bool {
        try check(id, .sending, .scheduled)
        try statement(15, """
            UPDATE message SET state = 'scheduled', not_before = ?, held_reason = ?, detail = ?, updated_at = ?
            WHERE id = ? AND state = 'sending'
            """).execute(arguments: [until.millis, reason.rawValue, detail, at, id])
        guard db.changesCount == 1 else { return false }
        try event(id, from: .sending, to: .scheduled, reason: .held(reason),
                  detail: detail + Self.nextAttempt(until), httpStatus: httpStatus)
        return true
    }

    /// "; next attempt …", unless the message waits for an operator rather than a time.
    private static func nextAttempt(_ until: Date) -> String {
        until >= UnknownOutcomePolicy.heldUntil ? "" : "; next attempt \(Timestamp.format(until))"
    }

    /// After a crash, messages left `sending` may or may not have reached the carrier: each is
    /// held `reason` until `until` (a lookup, or an operator). Returns their ids.
    func holdSending(until: Date, reason: HeldReason, detail: String) throws -> [Int64] {
        try check(0, .sending, .scheduled)
        let ids = try Int64.fetchAll(db, sql: "SELECT id FROM message WHERE state = 'sending' ORDER BY id")
        for id in ids {
            try event(id, from: .sending, to: .scheduled, reason: .held(reason), detail: detail + Self.nextAttempt(until))
        }
        try db.execute(sql: """
            UPDATE message SET state = 'scheduled', held_reason = ?, not_before = ?, updated_at = ? WHERE state = 'sending'
            """, arguments: [reason.rawValue, until.millis, at])
        return ids
    }

    /// After a crash, messages left `sending` may or may not have reached the carrier: queued again.
    func requeueSending(detail: String) throws -> [Int64] {
        try check(0, .sending, .queued)
        let ids = try Int64.fetchAll(db, sql: "SELECT id FROM message WHERE state = 'sending' ORDER BY id")
        for id in ids {
            try event(id, from: .sending, to: .queued, reason: .requeuedAfterCrash, detail: detail)
        }
        try db.execute(sql: "UPDATE message SET state = 'queued', not_before = ?, updated_at = ? WHERE state = 'sending'",
                       arguments: [at, at])
        return ids
    }

    /// Gives a message's credit charge back to its user, once.
    func refundCredits(_ id: Int64) throws {
        try db.cachedStatement(sql: """
            UPDATE user SET credits = credits + m.credits_charged
            FROM (SELECT org_id, user_id, credits_charged FROM message WHERE id = ?1 AND credits_charged > 0) AS m
            WHERE user.org_id = m.org_id AND user.id = m.user_id AND user.credits IS NOT NULL
            """).execute(arguments: [id])
        try db.cachedStatement(sql: "UPDATE message SET credits_charged = 0 WHERE id = ?1 AND credits_charged > 0").execute(arguments: [id])
    }
}

// MARK: - The carrier's reports

/// What a status report writes into the message it moves.
struct CarrierReport {
    var sid: String
    var carrierStatus: String
    var segments: Int?
    var errorCode: Int?
    var detail: String?
    /// Client-segmented texts keep part 1's sid as the message's.
    var clientSegmented = false
    /// A callback, or a lookup by sid.
    var reason: EventReason = .statusCallback
}

extension MessageTransitions {
    func applyReport(_ id: Int64, from: MessageState, to target: MessageState, _ report: CarrierReport) throws {
        try check(id, from, target)
        try statement(20, """
            UPDATE message SET state = ?1,
                carrier_sid = COALESCE(carrier_sid, (SELECT carrier_sid FROM message_part WHERE message_id = ?2 AND part = 1), ?3),
                carrier_status = ?4, carrier_segments = COALESCE(?5, carrier_segments), error_code = COALESCE(?6, error_code),
                held_reason = NULL, sent_at = COALESCE(sent_at, ?7), updated_at = ?7, final_at = ?8,
                reconcile_at = CASE WHEN ?1 = 'sent' THEN COALESCE(reconcile_at, ?11) ELSE reconcile_at END
            WHERE id = ?9 AND state = ?10
            """).execute(arguments: [target.rawValue, report.clientSegmented ? id : nil, report.sid, report.carrierStatus, report.segments,
                                     report.errorCode, at, target.isFinal ? at : nil, id, from.rawValue, firstLookup])
        guard db.changesCount == 1 else { return }
        try event(id, from: from, to: target, reason: report.reason, detail: report.detail, errorCode: report.errorCode,
                  carrierStatus: report.carrierStatus)
    }
}

// MARK: - Reconciliation

extension MessageTransitions {
    /// A lookup found the text still `sent`: asked again at `next`, without a transition.
    func reconcileLater(_ id: Int64, at next: Date, lookups: Int) throws {
        try statement(21, "UPDATE message SET reconcile_at = ?, reconcile_lookups = ? WHERE id = ? AND state = 'sent'")
            .execute(arguments: [next.millis, lookups, id])
    }

    /// The carrier still calls the text `sent` at the give-up age: it stays `sent`, says so in an
    /// event, is never looked up again, and counts as final for retention from now on.
    @discardableResult
    func endReconciliation(_ id: Int64, lookups: Int, detail: String) throws -> Bool {
        try check(id, .sent, .sent)
        try statement(22, """
            UPDATE message SET reconcile_at = NULL, reconcile_lookups = ?, final_at = ?, updated_at = ? WHERE id = ? AND state = 'sent'
            """).execute(arguments: [lookups, at, at, id])
        guard db.changesCount == 1 else { return false }
        try event(id, from: .sent, to: .sent, reason: .reconcileEnded, detail: detail)
        return true
    }

    /// At start, texts still `sent` may have lost their callbacks while heraldd was down: each is
    /// looked up within `spread` seconds (spread by id) instead of at its scheduled time.
    func reconcileSoon(spread: TimeInterval) throws -> Int {
        let window = max(Int64(spread * 1000), 1)
        try db.execute(sql: """
            UPDATE message SET reconcile_at = ?1 + (id % ?2)
            WHERE state = 'sent' AND (reconcile_at IS NULL OR reconcile_at > ?1 + ?2) AND (final_at IS NULL)
            """, arguments: [at, window])
        return db.changesCount
    }
}

// MARK: - Operators

extension MessageTransitions {
    /// Sends a failed, undelivered or expired message again with a fresh idempotency key (the
    /// gateway would otherwise answer with its earlier result) and a clean attempt count. An
    /// expiry already past is cleared: the operator asked for this message to go.
    func operatorRetry(_ id: Int64, from: MessageState, carrierKey: String, detail: String) throws {
        try check(id, from, .queued)
        try db.execute(sql: """
            UPDATE message SET state = 'queued', held_reason = NULL, reason = NULL, detail = NULL, error_code = NULL,
                carrier_status = NULL, not_before = ?1, attempts = 0, final_at = NULL, updated_at = ?1,
                carrier_key = ?2, expires_at = CASE WHEN expires_at <= ?1 THEN NULL ELSE expires_at END
            WHERE id = ?3 AND state = ?4
            """, arguments: [at, carrierKey, id, from.rawValue])
        guard db.changesCount == 1 else { return }
        try event(id, from: from, to: .queued, reason: .operatorRetry, detail: detail)
    }
}

extension MessageTransitions {
    /// A held message made due now, as it is (same key, same attempts): `scheduled` → `queued`.
    func release(_ id: Int64, from: MessageState, reason: EventReason, detail: String) throws {
        try check(id, from, .queued)
        try db.execute(sql: """
            UPDATE message SET state = 'queued', held_reason = NULL, not_before = ?1, updated_at = ?1 WHERE id = ?2 AND state = ?3
            """, arguments: [at, id, from.rawValue])
        guard db.changesCount == 1 else { return }
        try event(id, from: from, to: .queued, reason: reason, detail: detail)
    }
}

// MARK: - Retention

extension MessageTransitions {
    /// Empties the bodies of at most `limit` messages final before `cutoff` (texts whose
    /// reconciliation ended count as final), oldest first: the text goes, what happened to it
    /// stays. A purged body is '' with `body_purged_at` set.
    func purgeBodies(finalBefore cutoff: Date, limit: Int) throws -> Int {
        try db.cachedStatement(sql: Self.purgeBodiesSQL).execute(arguments: [at, cutoff.millis, limit])
        return db.changesCount
    }

    /// ?1 now and ?2 the cutoff, in Unix milliseconds; ?3 the most rows one transaction may purge.
    static let purgeBodiesSQL = """
        UPDATE message SET body = '', body_purged_at = ?1
        WHERE id IN (SELECT id FROM message
                     WHERE final_at IS NOT NULL AND body_purged_at IS NULL AND final_at < ?2
                       AND state IN (\(SQLText.list(MessageState.allCases.filter(\.isFinal).map(\.rawValue) + ["sent"])))
                     ORDER BY final_at LIMIT ?3)
        """
}
