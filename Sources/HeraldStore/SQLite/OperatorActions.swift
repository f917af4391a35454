import Foundation
import GRDB
import HeraldCore

/// Changes operators make through heraldctl (docs/admin.md). Each writes its transitions and their
/// events in one transaction and names who asked in the event's detail.
extension QueueDatabase {
    /// Sends failed, undelivered or expired messages again with a fresh idempotency key (the
    /// gateway would otherwise answer the retry with its earlier result) and a clean attempt count.
    /// Any expiry already past is cleared: the operator asked for this message to go. A message
    /// held `unknown_outcome` is posted again with its own key: the operator decided the carrier
    /// did not take it (a gateway that dedupes by key still sends it once).
    public func retry(ids: [Int64]?, failedOfOrg org: String?, by actor: String, now: Date) async throws -> OperatorChange {
        let at = now.millis
        return try await timedWrite { db in
            let rows: [Row]
            if let ids {
                rows = try Self.named(ids, in: db)
            } else {
                rows = try Row.fetchAll(db, sql: """
                    SELECT id, state FROM message WHERE state = 'failed' AND (?1 IS NULL OR org_id = ?1) ORDER BY id
                    """, arguments: [org])
            }
            var change = OperatorChange()
            let transitions = MessageTransitions(db, at: at)
            for row in rows {
                let id: Int64 = row["id"]
                let state = MessageState(rawValue: row["state"]) ?? .queued
                if state == .scheduled, row["held_reason"] == HeldReason.unknownOutcome.rawValue {
                    try transitions.release(id, from: state, reason: .operatorRetry, detail: "posted again by \(actor) after an unknown outcome")
                    change.changed.append(id)
                    continue
                }
                guard state.isRetryable else {
                    change.skipped.append((id, "it is \(state.rawValue); only failed, undelivered or expired messages, "
                        + "or those held unknown_outcome, can be retried"))
                    continue
                }
                try transitions.operatorRetry(id, from: state, carrierKey: CarrierKey.make(messageID: id) + "-retry-\(at)",
                                              detail: "retried by \(actor)")
                change.changed.append(id)
            }
            return change
        }
    }

    /// Cancels messages Herald still holds. A message already posted (sending, sent) or final is
    /// left alone and reported: only the carrier's answer moves it on.
    public func cancel(ids: [Int64]?, org: String?, state: MessageState?, by actor: String, now: Date) async throws -> OperatorChange {
        let at = now.millis
        return try await timedWrite { db in
            let rows: [Row]
            if let ids {
                rows = try Self.named(ids, in: db)
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT id, state FROM message WHERE org_id = ? AND state = ? ORDER BY id",
                                        arguments: [org, state?.rawValue])
            }
            var change = OperatorChange()
            let transitions = MessageTransitions(db, at: at)
            for row in rows {
                let id: Int64 = row["id"]
                let current = MessageState(rawValue: row["state"]) ?? .queued
                guard current.canMove(to: .canceled) else {
                    change.skipped.append((id, current.isFinal
                        ? "it is already \(current.rawValue)"
                        : "it is \(current.rawValue): the carrier has it, only its answer moves it on"))
                    continue
                }
                try transitions.end(id, from: current, to: .canceled, reason: .operatorCancel, detail: "canceled by \(actor)")
                change.changed.append(id)
            }
            return change
        }
    }

    /// The messages an operator named by id, or `unknownMessage` for the first id that names none.
    private static func named(_ ids: [Int64], in db: Database) throws -> [Row] {
        try ids.map { id in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, state, held_reason FROM message WHERE id = ?", arguments: [id]) else {
                throw StoreError.unknownMessage(id)
            }
            return row
        }
    }

    /// Pauses or resumes an org. Returns nil for an unknown org, else whether anything changed.
    /// On resume, messages the pause held become due at once instead of at their next recheck.
    public func setPaused(org: String, _ paused: Bool, now: Date) async throws -> Bool? {
        try await timedWrite { db in
            guard let was = try Bool.fetchOne(db, sql: "SELECT paused FROM org WHERE id = ?", arguments: [org]) else { return nil }
            guard was != paused else { return false }
            try db.execute(sql: "UPDATE org SET paused = ?, updated_at = ? WHERE id = ?", arguments: [paused, now.millis, org])
            if !paused {
                try MessageTransitions(db, now: now).releaseHeld(.orgPaused, org: org)
            }
            return true
        }
    }

    /// Pauses or resumes the user owning an active number. Nil when no active number matches.
    public func setPaused(sender number: String, _ paused: Bool, now: Date) async throws -> Bool? {
        try await timedWrite { db in
            guard let owner = try Row.fetchOne(db, sql: """
                SELECT u.org_id, u.id, u.paused FROM phone_number p JOIN user u ON u.org_id = p.org_id AND u.id = p.user_id
                WHERE p.e164 = ? AND p.status = 'active'
                """, arguments: [number]) else { return nil }
            guard (owner["paused"] as Bool) != paused else { return false }
            try db.execute(sql: "UPDATE user SET paused = ?, updated_at = ? WHERE org_id = ? AND id = ?",
                           arguments: [paused, now.millis, owner["org_id"], owner["id"]])
            if !paused {
                try MessageTransitions(db, now: now).releaseHeld(.senderPaused, from: number)
            }
            return true
        }
    }

    /// Queues a text exactly as a producer would, through the public `outbox` table, so it meets
    /// the same checks; returns the outbox id, which its message keeps.
    public func insertOutbox(org: String, sender: String, to: String, body: String, kind: String) async throws -> Int64 {
        try await timedWrite { db in
            try db.execute(sql: "INSERT INTO outbox (org, sender, to_number, body, kind) VALUES (?, ?, ?, ?, ?)",
                           arguments: [org, sender, to, body, kind])
            return db.lastInsertedRowID
        }
    }
}
