import Foundation
import GRDB
import HeraldCore
import Synchronization

/// Segment counts per org and user per month, kept apart from messages so that purging bodies
/// never loses usage history. The month is the calendar month in the org's timezone
/// (docs/consent.md, "Credits and usage"), worked out here from the org's row.
enum Usage {
    static func add(org: String, user: String, segments: Int, at: Int64, in db: Database) throws {
        try add(org: org, user: user, month: month(org: org, at: at, in: db), messages: 1, segments: segments, in: db)
    }

    static func add(org: String, user: String, month: String, messages: Int, segments: Int, in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO usage (org_id, user_id, month, messages, segments) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(org_id, user_id, month) DO UPDATE SET messages = messages + excluded.messages,
                segments = segments + excluded.segments
            """)
        try statement.execute(arguments: [org, user, month, messages, segments])
    }

    /// The month `at` falls in, in `org`'s timezone (Chicago's for an org the store does not know).
    static func month(org: String, at: Int64, in db: Database) throws -> String {
        let zone = try String.fetchOne(db.cachedStatement(sql: "SELECT timezone FROM org WHERE id = ?"), arguments: [org])
        return month(zone: zone, at: at)
    }

    /// The month `at` falls in, in timezone `zone` (Chicago's when nil); both backends ask here.
    static func month(zone: String?, at: Int64) -> String {
        calendars.withLock { calendars in
            let identifier = zone ?? "America/Chicago"
            if let known = calendars[identifier] { return known.key(for: Date(millis: at)) }
            let calendar = UsageMonth(timeZone: TimeZone(identifier: identifier) ?? .gmt)
            calendars[identifier] = calendar
            return calendar.key(for: Date(millis: at))
        }
    }

    /// Calendars by timezone: making one costs far more than reading a month from it.
    private static let calendars = Mutex<[String: UsageMonth]>([:])
}

/// Sums a batch's usage in memory so the batch costs one upsert per (org, user), not per message.
struct UsageTally {
    private struct Key: Hashable {
        var org: String
        var user: String
    }

    private var counts: [Key: (messages: Int, segments: Int)] = [:]

    mutating func add(org: String, user: String, segments: Int) {
        counts[Key(org: org, user: user), default: (0, 0)].messages += 1
        counts[Key(org: org, user: user), default: (0, 0)].segments += segments
    }

    mutating func write(at: Int64, in db: Database) throws {
        var months: [String: String] = [:]
        for (key, count) in counts {
            let month = try months[key.org] ?? Usage.month(org: key.org, at: at, in: db)
            months[key.org] = month
            try Usage.add(org: key.org, user: key.user, month: month, messages: count.messages, segments: count.segments, in: db)
        }
        counts.removeAll(keepingCapacity: true)
    }
}

extension QueueDatabase {
    public func usage(org: String? = nil) async throws -> [UsageRow] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT org_id, user_id, month, messages, segments FROM usage
                WHERE ?1 IS NULL OR org_id = ?1 ORDER BY org_id, month, user_id
                """, arguments: [org]).map {
                UsageRow(org: $0["org_id"], user: $0["user_id"], month: $0["month"], messages: $0["messages"], segments: $0["segments"])
            }
        }
    }
}
