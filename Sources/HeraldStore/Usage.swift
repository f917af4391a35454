import Foundation
import GRDB
import HeraldCore

/// Segment counts per org and user per month, kept apart from messages so that purging bodies
/// never loses usage history.
enum Usage {
    static func add(org: String, user: String, month: String, segments: Int, in db: Database) throws {
        try add(org: org, user: user, month: month, messages: 1, segments: segments, in: db)
    }

    static func add(org: String, user: String, month: String, messages: Int, segments: Int, in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO usage (org_id, user_id, month, messages, segments) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(org_id, user_id, month) DO UPDATE SET messages = messages + excluded.messages,
                segments = segments + excluded.segments
            """)
        try statement.execute(arguments: [org, user, month, messages, segments])
    }
}

/// Sums a batch's usage in memory so the batch costs one upsert per (org, user), not per message.
struct UsageTally {
    private struct Key: Hashable {
        var org: String
        var user: String
    }

    private var counts: [Key: (messages: Int, segments: Int)] = [:]
    private var months: [String: String] = [:]
    private let monthOf: (String) -> String

    init(monthOf: @escaping (String) -> String) {
        self.monthOf = monthOf
    }

    mutating func add(org: String, user: String, segments: Int) {
        counts[Key(org: org, user: user), default: (0, 0)].messages += 1
        counts[Key(org: org, user: user), default: (0, 0)].segments += segments
    }

    mutating func write(in db: Database) throws {
        for (key, count) in counts {
            let month: String
            if let known = months[key.org] {
                month = known
            } else {
                month = monthOf(key.org)
                months[key.org] = month
            }
            try Usage.add(org: key.org, user: key.user, month: month, messages: count.messages, segments: count.segments, in: db)
        }
        counts.removeAll(keepingCapacity: true)
    }
}

public struct UsageRow: Sendable, Equatable, Codable {
    public var org: String
    public var user: String
    public var month: String
    public var messages: Int
    public var segments: Int
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
