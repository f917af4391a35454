import Foundation
import HeraldCore
import PostgresNIO

/// Reads of messages and their events (SQLite's MessageQueries.swift and OperatorQueries.swift).
extension PostgresQueue {
    /// The columns `MessageSnapshot(postgres:)` reads, in its order.
    static let snapshotColumns = """
        id, org_id, user_id, from_number, to_number, kind, encoding, body, expires_at, created_at, updated_at, state, held_reason,
        reason, detail, not_before, segments, carrier_sid, error_code, attempts, carrier_key, reconcile_at, reconcile_lookups, final_at
        """
    static let eventColumns = "id, message_id, at, from_state, to_state, reason, detail, http_status, error_code"

    public func message(_ id: Int64) async throws -> MessageSnapshot? {
        try await read { session in
            try await session.rows("SELECT \(unescaped: Self.snapshotColumns) FROM message WHERE id = \(id)").first.map(MessageSnapshot.init(postgres:))
        }
    }

    public func messages(state: MessageState? = nil, limit: Int = 1_000_000) async throws -> [MessageSnapshot] {
        try await read { session in
            try await session.rows("""
                SELECT \(unescaped: Self.snapshotColumns) FROM message WHERE \(state?.rawValue)::text IS NULL OR state = \(state?.rawValue)
                ORDER BY id LIMIT \(limit)
                """).map(MessageSnapshot.init(postgres:))
        }
    }

    /// Newest first, each filter on an indexed column where one exists.
    public func messages(state: MessageState?, held: HeldReason? = nil, org: String?, to: String?, limit: Int) async throws -> [MessageSnapshot] {
        try await read { session in
            try await session.rows("""
                SELECT \(unescaped: Self.snapshotColumns) FROM message
                WHERE (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue))
                  AND (\(held?.rawValue)::text IS NULL OR held_reason = \(held?.rawValue))
                  AND (\(org)::text IS NULL OR org_id = \(org)) AND (\(to)::text IS NULL OR to_number = \(to))
                ORDER BY id DESC LIMIT \(limit)
                """).map(MessageSnapshot.init(postgres:))
        }
    }

    public func events(of id: Int64) async throws -> [EventSnapshot] {
        try await read { session in
            try await session.rows("SELECT \(unescaped: Self.eventColumns) FROM message_event WHERE message_id = \(id) ORDER BY id")
                .map(EventSnapshot.init(postgres:))
        }
    }

    /// Events recorded after `id`, oldest first, for `watch`.
    public func events(after id: Int64, limit: Int) async throws -> [EventSnapshot] {
        try await read { session in
            try await session.rows("SELECT \(unescaped: Self.eventColumns) FROM message_event WHERE id > \(id) ORDER BY id LIMIT \(limit)")
                .map(EventSnapshot.init(postgres:))
        }
    }

    public func inbound(after id: Int64, limit: Int) async throws -> [InboundSnapshot] {
        try await read { session in
            try await session.rows("""
                SELECT id, org_id, from_number, to_number, body, received_at, keyword FROM inbound_message WHERE id > \(id) ORDER BY id LIMIT \(limit)
                """).map { row in
                let (id, org, from, to, body, received, keyword) = try row.decode((Int64, String?, String, String, String?, Int64, String?).self)
                return InboundSnapshot(id: id, orgID: org, from: from, to: to, body: body, receivedAt: Date(millis: received), keyword: keyword)
            }
        }
    }

    public func feedPosition() async throws -> (event: Int64, inbound: Int64) {
        try await read { session in
            (try await session.value("SELECT COALESCE(MAX(id), 0) FROM message_event", as: Int64.self) ?? 0,
             try await session.value("SELECT COALESCE(MAX(id), 0) FROM inbound_message", as: Int64.self) ?? 0)
        }
    }

    /// Queue depth of the states Herald still acts on, through the partial index `message_state`.
    public func countsByState() async throws -> [MessageState: Int] {
        try await read { session in
            var counts: [MessageState: Int] = [:]
            for row in try await session.rows("""
                SELECT state, COUNT(*) FROM message
                WHERE state IN ('queued', 'scheduled', 'awaiting_consent', 'sending', 'sent') GROUP BY state
                """) {
                let (state, count) = try row.decode((String, Int).self)
                if let state = MessageState(rawValue: state) { counts[state] = count }
            }
            return counts
        }
    }
}

extension MessageSnapshot {
    init(postgres row: PostgresRow) throws {
        let row = row.makeRandomAccess()
        func column<T: PostgresDecodable>(_ name: String, _ type: T.Type = T.self) throws -> T { try row[name].decode(T.self) }
        self.init(
            id: try column("id"), orgID: try column("org_id"), to: try column("to_number"),
            state: MessageState(rawValue: try column("state")) ?? .queued,
            heldReason: try column("held_reason", String?.self).flatMap(HeldReason.init(rawValue:)),
            reason: try column("reason"), detail: try column("detail"), notBefore: Date(millis: try column("not_before")),
            segments: try column("segments"), carrierSid: try column("carrier_sid"), errorCode: try column("error_code"),
            attempts: try column("attempts"), carrierKey: try column("carrier_key"), userID: try column("user_id"),
            from: try column("from_number"), kind: try column("kind"), encoding: try column("encoding"), body: try column("body"),
            expiresAt: try column("expires_at", Int64?.self).map(Date.init(millis:)), createdAt: Date(millis: try column("created_at")),
            updatedAt: Date(millis: try column("updated_at")),
            reconcileAt: try column("reconcile_at", Int64?.self).map(Date.init(millis:)),
            reconcileLookups: try column("reconcile_lookups"), finalAt: try column("final_at", Int64?.self).map(Date.init(millis:))
        )
    }
}

extension EventSnapshot {
    init(postgres row: PostgresRow) throws {
        let (id, message, at, from, to, reason, detail, http, code) = try row.decode(
            (Int64, Int64, Int64, String?, String, String?, String?, Int?, Int?).self)
        self.init(id: id, messageID: message, at: Date(millis: at), from: from.flatMap(MessageState.init(rawValue:)),
                  to: MessageState(rawValue: to) ?? .queued, reason: reason, detail: detail, httpStatus: http, errorCode: code)
    }
}
