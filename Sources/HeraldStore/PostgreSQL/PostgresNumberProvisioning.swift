import Foundation
import HeraldCore
import PostgresNIO

/// Provisioned numbers (SQLite's NumberProvisioning.swift): a bought number becomes the user's
/// active number; a released one stays as history, and what waits to go from it is held, never lost.
extension PostgresQueue {
    public func userNumbers(org: String, ids: [String]? = nil) async throws -> [UserNumbers] {
        try await read { session in
            try await session.rows("""
                SELECT u.org_id, u.id, u.name, u.cell_phone, p.e164, p.carrier_sid, p.provisioned_at
                FROM org_user u LEFT JOIN phone_number p ON p.org_id = u.org_id AND p.user_id = u.id AND p.status = 'active'
                WHERE u.org_id = \(org) AND (\(ids == nil) OR u.id = ANY(\(ids ?? [])))
                ORDER BY u.id
                """).map { row in
                let (org, user, name, cell, e164, sid, provisioned) = try row.decode((String, String, String, String?, String?, String?, Int64?).self)
                return UserNumbers(org: org, user: user, name: name, cellPhone: cell, number: e164.map {
                    ActiveNumber(e164: $0, carrierSID: sid, provisionedAt: Date(millis: provisioned ?? 0))
                })
            }
        }
    }

    public func pendingCount(from number: String) async throws -> Int {
        try await read { session in
            try await session.value("SELECT COUNT(*) FROM message WHERE state IN ('queued', 'scheduled') AND from_number = \(number)", as: Int.self) ?? 0
        }
    }

    public func recordProvisioned(
        org: String, user: String, number: String, carrierSID: String, by actor: String, now: Date
    ) async throws -> ProvisionRecording {
        try await write { session in
            guard try await session.value("SELECT EXISTS (SELECT 1 FROM org_user WHERE org_id = \(org) AND id = \(user))", as: Bool.self) == true else {
                return .unknownUser
            }
            if let held = try await session.value(
                "SELECT e164 FROM phone_number WHERE org_id = \(org) AND user_id = \(user) AND status = 'active'", as: String.self) {
                return .userHasNumber(held)
            }
            if let owner = try await session.rows(
                "SELECT org_id, user_id FROM phone_number WHERE e164 = \(number) AND status = 'active'").first {
                let (ownerOrg, ownerUser) = try owner.decode((String, String?).self)
                return .numberTaken(org: ownerOrg, user: ownerUser)
            }
            try await session.execute("""
                INSERT INTO phone_number (e164, carrier_sid, org_id, user_id, status, provisioned_at)
                VALUES (\(number), \(carrierSID), \(org), \(user), 'active', \(now.millis))
                """)
            try await PostgresAdminChangeLog.append(actor: actor, command: "numbers_provision", org: org, target: user,
                                                    detail: "\(number) (\(carrierSID))", at: now.millis, in: session)
            return .recorded
        }
    }

    /// Detaches the user's active number and holds what Herald still holds from it as
    /// `sender_released` until `recheck` (or its expiry, if sooner), one event each.
    public func recordReleased(org: String, user: String, by actor: String, now: Date, recheck: Date) async throws -> ReleaseRecording {
        let at = now.millis
        return try await write { session in
            guard let number = try await session.rows(
                "SELECT id, e164 FROM phone_number WHERE org_id = \(org) AND user_id = \(user) AND status = 'active'").first else {
                return .noActiveNumber
            }
            let (numberID, e164) = try number.decode((Int64, String).self)
            try await session.execute("UPDATE phone_number SET status = 'released', released_at = \(at) WHERE id = \(numberID)")
            let pending = try await session.rows("""
                SELECT id, state, LEAST(\(recheck.millis), COALESCE(expires_at, \(recheck.millis))) FROM message
                WHERE state IN ('queued', 'scheduled') AND from_number = \(e164) ORDER BY id FOR UPDATE
                """).map { try $0.decode((Int64, String, Int64).self) }
            let transitions = PostgresTransitions(session, at: at)
            for (id, state, until) in pending {
                try await transitions.hold(id, from: MessageState(rawValue: state) ?? .queued, until: Date(millis: until),
                                           reason: .senderReleased, detail: "sender \(e164) released by \(actor)")
            }
            try await PostgresAdminChangeLog.append(actor: actor, command: "numbers_release", org: org, target: user,
                                                    detail: "\(e164); \(pending.count) waiting texts held sender_released", at: at, in: session)
            return .released(number: e164, held: pending.map(\.0))
        }
    }

    @discardableResult
    public func resumeSenderReleased(from number: String, now: Date) async throws -> Int {
        try await write { session in try await PostgresTransitions(session, now: now).releaseHeld(.senderReleased, from: number) }
    }
}
