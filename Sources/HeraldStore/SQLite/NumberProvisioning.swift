import Foundation
import GRDB
import HeraldCore

/// Provisioned numbers (docs/domain.md): a bought number becomes the user's active number; a released
/// one stays as history, and the texts still waiting to go from it are held, never lost.
extension QueueDatabase {
    /// Users of `org` with their active number, by id; `ids` nil means all of them.
    public func userNumbers(org: String, ids: [String]? = nil) async throws -> [UserNumbers] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT u.org_id, u.id, u.name, u.cell_phone, p.e164, p.carrier_sid, p.provisioned_at
                FROM user u LEFT JOIN phone_number p ON p.org_id = u.org_id AND p.user_id = u.id AND p.status = 'active'
                WHERE u.org_id = ?1 AND (?2 IS NULL OR u.id IN (SELECT value FROM json_each(?2)))
                ORDER BY u.id
                """, arguments: [org, ids.map { "[" + $0.map(JSONText.quote).joined(separator: ",") + "]" }])
            return rows.map { row in
                UserNumbers(
                    org: row["org_id"], user: row["id"], name: row["name"], cellPhone: row["cell_phone"],
                    number: (row["e164"] as String?).map {
                        ActiveNumber(e164: $0, carrierSID: row["carrier_sid"], provisionedAt: Date(millis: row["provisioned_at"]))
                    }
                )
            }
        }
    }

    /// How many messages from `number` Herald still holds (queued, scheduled): what a release would hold.
    public func pendingCount(from number: String) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM message WHERE state IN ('queued', 'scheduled') AND from_number = ?
                """, arguments: [number]) ?? 0
        }
    }

    /// Makes a number just bought at the carrier the user's active number.
    public func recordProvisioned(
        org: String, user: String, number: String, carrierSID: String, by actor: String, now: Date
    ) async throws -> ProvisionRecording {
        try await timedWrite { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE org_id = ? AND id = ?", arguments: [org, user]) == true else {
                return .unknownUser
            }
            if let held = try String.fetchOne(db, sql: """
                SELECT e164 FROM phone_number WHERE org_id = ? AND user_id = ? AND status = 'active'
                """, arguments: [org, user]) {
                return .userHasNumber(held)
            }
            if let owner = try Row.fetchOne(db, sql: "SELECT org_id, user_id FROM phone_number WHERE e164 = ? AND status = 'active'",
                                            arguments: [number]) {
                return .numberTaken(org: owner["org_id"], user: owner["user_id"])
            }
            try db.execute(sql: """
                INSERT INTO phone_number (e164, carrier_sid, org_id, user_id, status, provisioned_at) VALUES (?, ?, ?, ?, 'active', ?)
                """, arguments: [number, carrierSID, org, user, now.millis])
            try AdminChangeLog.append(actor: actor, command: "numbers_provision", org: org, target: user,
                                      detail: "\(number) (\(carrierSID))", at: now.millis, in: db)
            return .recorded
        }
    }

    /// Detaches the user's active number and, in the same transaction, holds every message from it
    /// that Herald still holds as `sender_released` until `recheck` (or its expiry, if sooner), one
    /// event each. Messages already posted are left to the carrier's answer.
    public func recordReleased(org: String, user: String, by actor: String, now: Date, recheck: Date) async throws -> ReleaseRecording {
        let at = now.millis
        return try await timedWrite { db in
            guard let number = try Row.fetchOne(db, sql: """
                SELECT id, e164 FROM phone_number WHERE org_id = ? AND user_id = ? AND status = 'active'
                """, arguments: [org, user]) else { return .noActiveNumber }
            let e164: String = number["e164"]
            try db.execute(sql: "UPDATE phone_number SET status = 'released', released_at = ? WHERE id = ?",
                           arguments: [at, number["id"] as Int64])
            let pending = try Row.fetchAll(db, sql: """
                SELECT id, state, MIN(?1, COALESCE(expires_at, ?1)) AS until FROM message
                WHERE state IN ('queued', 'scheduled') AND from_number = ?2 ORDER BY id
                """, arguments: [recheck.millis, e164])
            let transitions = MessageTransitions(db, at: at)
            for row in pending {
                try transitions.hold(row["id"], from: MessageState(rawValue: row["state"]) ?? .queued, until: Date(millis: row["until"]),
                                     reason: .senderReleased, detail: "sender \(e164) released by \(actor)")
            }
            try AdminChangeLog.append(actor: actor, command: "numbers_release", org: org, target: user,
                                      detail: "\(e164); \(pending.count) waiting texts held sender_released", at: at, in: db)
            return .released(number: e164, held: pending.map { $0["id"] as Int64 })
        }
    }

    /// Makes texts held `sender_released` from `number` due now: the number turned out to be
    /// still the sender's (a release the carrier refused). Returns how many.
    @discardableResult
    public func resumeSenderReleased(from number: String, now: Date) async throws -> Int {
        try await timedWrite { db in
            try MessageTransitions(db, now: now).releaseHeld(.senderReleased, from: number)
        }
    }
}
