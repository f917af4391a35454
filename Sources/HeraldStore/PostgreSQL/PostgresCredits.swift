import Foundation
import HeraldCore
import PostgresNIO

/// Segment credits (SQLite's Credits.swift; the rule is Core's `CreditRule`). Claims charge them
/// in PostgresClaims.swift, the user's row locked for the claim.
extension PostgresQueue {
    public func allocateCredits(
        org: String, user: String, segments: Int, exactly: Bool, changedBy: String, note: String?, now: Date
    ) async throws -> CreditAllocation {
        try await write { session in
            let at = now.millis
            guard let row = try await session.rows("SELECT credits FROM org_user WHERE org_id = \(org) AND id = \(user) FOR UPDATE").first else {
                guard try await session.value("SELECT EXISTS (SELECT 1 FROM org WHERE id = \(org))", as: Bool.self) == true else {
                    throw DirectoryChangeError.unknownOrganization(org)
                }
                throw DirectoryChangeError.unknownUser(org: org, user: user)
            }
            let old = try row.decode(Int?.self)
            let new = exactly ? segments : (old ?? 0) + segments
            guard new >= 0 else { throw DirectoryChangeError.creditsBelowZero(org: org, user: user, balance: old ?? 0, change: segments) }
            try await session.execute("UPDATE org_user SET credits = \(new), updated_at = \(at) WHERE org_id = \(org) AND id = \(user)")
            try await session.execute("""
                INSERT INTO credit_allocation (org_id, user_id, at, segments, balance, changed_by, note)
                VALUES (\(org), \(user), \(at), \(new - (old ?? 0)), \(new), \(changedBy), \(note))
                """)
            try await PostgresAdminChangeLog.append(
                actor: changedBy, command: "credits_allocate", org: org, target: user,
                detail: "\(old.map(String.init) ?? "unmetered") -> \(new)" + (note.map { " note=\(String(reflecting: $0))" } ?? ""),
                at: at, in: session)
            var released = 0
            if new > 0 {
                released = try await PostgresTransitions(session, at: at).releaseHeld(.noCredits, org: org, user: user)
            }
            return CreditAllocation(org: org, user: user, old: old, new: new, released: released)
        }
    }

    public func creditBalances(org: String, user: String?, month: String) async throws -> [CreditBalance] {
        try await read { session in
            try await session.rows("""
                SELECT u.org_id, u.id, u.name, u.credits,
                    COALESCE((SELECT SUM(segments) FROM usage g WHERE g.org_id = u.org_id AND g.user_id = u.id AND g.month = \(month)), 0)::bigint,
                    (SELECT COUNT(*) FROM message m WHERE m.org_id = u.org_id AND m.user_id = u.id AND m.held_reason = 'no_credits')
                FROM org_user u WHERE u.org_id = \(org) AND (\(user)::text IS NULL OR u.id = \(user)) ORDER BY u.id
                """).map { row in
                let (org, id, name, credits, used, held) = try row.decode((String, String, String, Int?, Int, Int).self)
                return CreditBalance(org: org, user: id, name: name, credits: credits, usedThisMonth: used, held: held)
            }
        }
    }
}
