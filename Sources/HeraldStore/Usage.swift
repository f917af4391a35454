import Foundation
import GRDB
import HeraldCore

/// Segment counts per org and user per month, kept apart from messages so that purging bodies
/// never loses usage history.
enum Usage {
    static func add(org: String, user: String, month: String, segments: Int, in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO usage (org_id, user_id, month, messages, segments) VALUES (?, ?, ?, 1, ?)
            ON CONFLICT(org_id, user_id, month) DO UPDATE SET messages = messages + 1, segments = segments + excluded.segments
            """)
        try statement.execute(arguments: [org, user, month, segments])
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
