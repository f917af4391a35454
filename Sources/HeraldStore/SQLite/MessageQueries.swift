import Foundation
import GRDB
import HeraldCore

extension MessageSnapshot {
    init(row: Row) {
        id = row["id"]
        orgID = row["org_id"]
        userID = row["user_id"]
        from = row["from_number"]
        kind = row["kind"]
        encoding = row["encoding"]
        body = row["body"]
        expiresAt = (row["expires_at"] as Int64?).map(Date.init(millis:))
        createdAt = Date(millis: row["created_at"])
        updatedAt = Date(millis: row["updated_at"])
        to = row["to_number"]
        state = MessageState(rawValue: row["state"]) ?? .queued
        heldReason = (row["held_reason"] as String?).flatMap(HeldReason.init(rawValue:))
        reason = row["reason"]
        detail = row["detail"]
        notBefore = Date(millis: row["not_before"])
        segments = row["segments"]
        carrierSid = row["carrier_sid"]
        errorCode = row["error_code"]
        attempts = row["attempts"]
        carrierKey = row["carrier_key"]
        reconcileAt = (row["reconcile_at"] as Int64?).map(Date.init(millis:))
        reconcileLookups = row["reconcile_lookups"] ?? 0
        finalAt = (row["final_at"] as Int64?).map(Date.init(millis:))
    }
}

extension EventSnapshot {
    init(row: Row) {
        self.init(
            id: row["id"], messageID: row["message_id"], at: Date(millis: row["at"]),
            from: (row["from_state"] as String?).flatMap(MessageState.init(rawValue:)),
            to: MessageState(rawValue: row["to_state"]) ?? .queued, reason: row["reason"], detail: row["detail"],
            httpStatus: row["http_status"], errorCode: row["error_code"]
        )
    }
}

extension QueueDatabase {
    public func message(_ id: Int64) async throws -> MessageSnapshot? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM message WHERE id = ?", arguments: [id]).map(MessageSnapshot.init(row:))
        }
    }

    public func messages(state: MessageState? = nil, limit: Int = 1_000_000) async throws -> [MessageSnapshot] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM message WHERE ?1 IS NULL OR state = ?1 ORDER BY id LIMIT ?2",
                             arguments: [state?.rawValue, limit]).map(MessageSnapshot.init(row:))
        }
    }

    public func events(of id: Int64) async throws -> [EventSnapshot] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM message_event WHERE message_id = ? ORDER BY id", arguments: [id]).map(EventSnapshot.init(row:))
        }
    }

    /// Queue depth: how many messages are in each state Herald still acts on (queued, scheduled,
    /// awaiting_consent, sending, sent); final states are not counted. Read every few seconds for
    /// systemd's STATUS= line, so it walks only the partial index `message_state`, whose WHERE
    /// clause it repeats word for word (SQLite uses a partial index only then): the cost follows the
    /// backlog, never the millions of delivered rows kept as history.
    public func countsByState() async throws -> [MessageState: Int] {
        try await pool.read { db in
            var counts: [MessageState: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT state, COUNT(*) AS n FROM message INDEXED BY message_state
                WHERE \(MessageStateIndex.predicate) GROUP BY state
                """) {
                if let state = MessageState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }
}
