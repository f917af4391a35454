import Foundation
import HeraldCore
import PostgresNIO

/// Changes operators make through heraldctl (SQLite's OperatorActions.swift): each writes its
/// transitions and their events in one transaction and names who asked in the event's detail.
extension PostgresQueue {
    public func retry(ids: [Int64]?, failedOfOrg org: String?, by actor: String, now: Date) async throws -> OperatorChange {
        let at = now.millis
        return try await write { session in
            let rows: [(Int64, String, String?)]
            if let ids {
                rows = try await Self.named(ids, in: session)
            } else {
                rows = try await session.rows("""
                    SELECT id, state, held_reason FROM message WHERE state = 'failed' AND (\(org)::text IS NULL OR org_id = \(org)) ORDER BY id
                    FOR UPDATE
                    """).map { try $0.decode((Int64, String, String?).self) }
            }
            var change = OperatorChange()
            let transitions = PostgresTransitions(session, at: at)
            for (id, stateText, held) in rows {
                let state = MessageState(rawValue: stateText) ?? .queued
                if state == .scheduled, held == HeldReason.unknownOutcome.rawValue {
                    try await transitions.release(id, from: state, reason: .operatorRetry, detail: "posted again by \(actor) after an unknown outcome")
                    change.changed.append(id)
                    continue
                }
                guard state.isRetryable else {
                    change.skipped.append((id, "it is \(state.rawValue); only failed, undelivered or expired messages, "
                        + "or those held unknown_outcome, can be retried"))
                    continue
                }
                try await transitions.operatorRetry(id, from: state, carrierKey: CarrierKey.make(messageID: id) + "-retry-\(at)",
                                                    detail: "retried by \(actor)")
                change.changed.append(id)
            }
            return change
        }
    }

    public func cancel(ids: [Int64]?, org: String?, state: MessageState?, by actor: String, now: Date) async throws -> OperatorChange {
        let at = now.millis
        return try await write { session in
            let rows: [(Int64, String, String?)]
            if let ids {
                rows = try await Self.named(ids, in: session)
            } else {
                rows = try await session.rows("""
                    SELECT id, state, held_reason FROM message WHERE org_id = \(org) AND state = \(state?.rawValue) ORDER BY id FOR UPDATE
                    """).map { try $0.decode((Int64, String, String?).self) }
            }
            var change = OperatorChange()
            let transitions = PostgresTransitions(session, at: at)
            for (id, stateText, _) in rows {
                let current = MessageState(rawValue: stateText) ?? .queued
                guard current.canMove(to: .canceled) else {
                    change.skipped.append((id, current.isFinal
                        ? "it is already \(current.rawValue)"
                        : "it is \(current.rawValue): the carrier has it, only its answer moves it on"))
                    continue
                }
                try await transitions.end(id, from: current, to: .canceled, reason: .operatorCancel, detail: "canceled by \(actor)")
                change.changed.append(id)
            }
            return change
        }
    }

    /// The messages an operator named by id, or `unknownMessage` for the first id that names none.
    private static func named(_ ids: [Int64], in session: PostgresSession) async throws -> [(Int64, String, String?)] {
        var rows: [(Int64, String, String?)] = []
        for id in ids {
            guard let row = try await session.rows("SELECT id, state, held_reason FROM message WHERE id = \(id) FOR UPDATE").first else {
                throw StoreError.unknownMessage(id)
            }
            rows.append(try row.decode((Int64, String, String?).self))
        }
        return rows
    }

    public func setPaused(org: String, _ paused: Bool, now: Date) async throws -> Bool? {
        try await write { session in
            guard let was = try await session.value("SELECT paused FROM org WHERE id = \(org) FOR UPDATE", as: Bool.self) else { return nil }
            guard was != paused else { return false }
            try await session.execute("UPDATE org SET paused = \(paused), updated_at = \(now.millis) WHERE id = \(org)")
            if !paused {
                _ = try await PostgresTransitions(session, now: now).releaseHeld(.orgPaused, org: org)
            }
            return true
        }
    }

    public func setPaused(sender number: String, _ paused: Bool, now: Date) async throws -> Bool? {
        try await write { session in
            guard let owner = try await session.rows("""
                SELECT u.org_id, u.id, u.paused FROM phone_number p JOIN org_user u ON u.org_id = p.org_id AND u.id = p.user_id
                WHERE p.e164 = \(number) AND p.status = 'active' FOR UPDATE OF u
                """).first else { return nil }
            let (org, user, was) = try owner.decode((String, String, Bool).self)
            guard was != paused else { return false }
            try await session.execute("UPDATE org_user SET paused = \(paused), updated_at = \(now.millis) WHERE org_id = \(org) AND id = \(user)")
            if !paused {
                _ = try await PostgresTransitions(session, now: now).releaseHeld(.senderPaused, from: number)
            }
            return true
        }
    }

    /// Where the queue lives, as an operator names it: the server, never the password.
    public var location: String { endpoint.description }

    /// heraldctl backup copies a SQLite file; a server's backups are PostgreSQL's own business.
    public func backup(to path: String, force: Bool) async throws -> Int64 {
        throw BackupRefusal.serverDatabase(server: endpoint.description)
    }
}
