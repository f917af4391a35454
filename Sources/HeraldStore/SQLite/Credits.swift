import Foundation
import GRDB
import HeraldCore

/// Segment credits of one claim transaction (the rule is Core's `CreditRule`). A metered user's
/// balance is read once per claim, charged in memory as messages are picked, and written back in
/// the same commit, so no two claims can spend the same credit and nothing goes out beyond the balance.
struct CreditBook {
    private struct Key: Hashable {
        var org: String
        var user: String
    }

    /// nil: the user is not metered.
    private var balances: [Key: Int?] = [:]
    private var spent: [Key: Int] = [:]

    /// The user's credits left in this transaction, or nil when the user is not metered.
    mutating func available(org: String, user: String, in db: Database) throws -> Int? {
        let key = Key(org: org, user: user)
        if let known = balances[key] { return known.map { $0 - spent[key, default: 0] } }
        let balance = try Int.fetchOne(db.cachedStatement(sql: "SELECT credits FROM user WHERE org_id = ? AND id = ?"), arguments: [org, user])
        balances[key] = .some(balance)
        return balance.map { $0 - spent[key, default: 0] }
    }

    mutating func charge(org: String, user: String, segments: Int) {
        spent[Key(org: org, user: user), default: 0] += segments
    }

    func write(in db: Database) throws {
        let statement = try db.cachedStatement(sql: "UPDATE user SET credits = credits - ? WHERE org_id = ? AND id = ? AND credits IS NOT NULL")
        for (key, segments) in spent where segments > 0 {
            try statement.execute(arguments: [segments, key.org, key.user])
        }
    }
}

extension QueueDatabase {
    /// Adds `segments` to the user's credits (or sets them, with `exactly`); a user not metered
    /// before starts from zero. Messages held `no_credits` become due at once and are charged
    /// against the new balance when claimed.
    public func allocateCredits(
        org: String, user: String, segments: Int, exactly: Bool, changedBy: String, note: String?, now: Date
    ) async throws -> CreditAllocation {
        try await timedWrite { db in
            let at = now.millis
            guard let row = try Row.fetchOne(db, sql: "SELECT credits FROM user WHERE org_id = ? AND id = ?", arguments: [org, user]) else {
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM org WHERE id = ?)", arguments: [org])! else {
                    throw DirectoryChangeError.unknownOrganization(org)
                }
                throw DirectoryChangeError.unknownUser(org: org, user: user)
            }
            let old: Int? = row["credits"]
            let new = exactly ? segments : (old ?? 0) + segments
            guard new >= 0 else { throw DirectoryChangeError.creditsBelowZero(org: org, user: user, balance: old ?? 0, change: segments) }
            try db.execute(sql: "UPDATE user SET credits = ?, updated_at = ? WHERE org_id = ? AND id = ?", arguments: [new, at, org, user])
            try db.execute(sql: """
                INSERT INTO credit_allocation (org_id, user_id, at, segments, balance, changed_by, note) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [org, user, at, new - (old ?? 0), new, changedBy, note])
            try AdminChangeLog.append(actor: changedBy, command: "credits_allocate", org: org, target: user,
                                      detail: "\(old.map(String.init) ?? "unmetered") -> \(new)" + (note.map { " note=\(String(reflecting: $0))" } ?? ""),
                                      at: at, in: db)
            var released = 0
            if new > 0 {
                released = try MessageTransitions(db, at: at).releaseHeld(.noCredits, org: org, user: user)
            }
            return CreditAllocation(org: org, user: user, old: old, new: new, released: released)
        }
    }

    /// Every user of `org` (or one), with balance, this month's segments and messages held for credits.
    public func creditBalances(org: String, user: String?, month: String) async throws -> [CreditBalance] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT u.org_id, u.id, u.name, u.credits,
                    COALESCE((SELECT SUM(segments) FROM usage g WHERE g.org_id = u.org_id AND g.user_id = u.id AND g.month = ?3), 0) AS used,
                    (SELECT COUNT(*) FROM message m INDEXED BY message_no_credits
                     WHERE m.org_id = u.org_id AND m.user_id = u.id AND m.held_reason = 'no_credits') AS held
                FROM user u WHERE u.org_id = ?1 AND (?2 IS NULL OR u.id = ?2) ORDER BY u.id
                """, arguments: [org, user, month]).map {
                CreditBalance(org: $0["org_id"], user: $0["id"], name: $0["name"], credits: $0["credits"], usedThisMonth: $0["used"], held: $0["held"])
            }
        }
    }
}
