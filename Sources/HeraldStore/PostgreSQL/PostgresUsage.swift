import Foundation
import HeraldCore
import PostgresNIO

/// Segment counts per org and user per month (the org's calendar month, `Usage.month`), kept
/// apart from messages so that purging bodies never loses usage history.
enum PostgresUsage {
    static func add(org: String, user: String, segments: Int, at: Int64, in session: PostgresSession) async throws {
        let month = try await month(org: org, at: at, in: session)
        try await add(org: org, user: user, month: month, messages: 1, segments: segments, in: session)
    }

    static func add(org: String, user: String, month: String, messages: Int, segments: Int, in session: PostgresSession) async throws {
        try await session.execute("""
            INSERT INTO usage (org_id, user_id, month, messages, segments) VALUES (\(org), \(user), \(month), \(messages), \(segments))
            ON CONFLICT (org_id, user_id, month) DO UPDATE SET messages = usage.messages + excluded.messages,
                segments = usage.segments + excluded.segments
            """)
    }

    static func month(org: String, at: Int64, in session: PostgresSession) async throws -> String {
        let zone = try await session.value("SELECT timezone FROM org WHERE id = \(org)", as: String.self)
        return Usage.month(zone: zone, at: at)
    }

    /// A batch's usage, summed in memory: one upsert per (org, user), not per message.
    struct Tally {
        private var counts: [String: (org: String, user: String, messages: Int, segments: Int)] = [:]

        mutating func add(org: String, user: String, segments: Int) {
            counts[org + "\u{1F}" + user, default: (org, user, 0, 0)].messages += 1
            counts[org + "\u{1F}" + user, default: (org, user, 0, 0)].segments += segments
        }

        func write(at: Int64, in session: PostgresSession) async throws {
            var months: [String: String] = [:]
            // Sorted: two instances writing the same users' rows lock them in the same order.
            for count in counts.values.sorted(by: { ($0.org, $0.user) < ($1.org, $1.user) }) {
                let month: String
                if let known = months[count.org] {
                    month = known
                } else {
                    month = try await PostgresUsage.month(org: count.org, at: at, in: session)
                }
                months[count.org] = month
                try await PostgresUsage.add(org: count.org, user: count.user, month: month, messages: count.messages,
                                            segments: count.segments, in: session)
            }
        }
    }
}

extension PostgresQueue {
    public func usage(org: String? = nil) async throws -> [UsageRow] {
        try await read { session in
            try await session.rows("""
                SELECT org_id, user_id, month, messages, segments FROM usage
                WHERE \(org)::text IS NULL OR org_id = \(org) ORDER BY org_id, month, user_id
                """).map { row in
                let (org, user, month, messages, segments) = try row.decode((String, String, String, Int, Int).self)
                return UsageRow(org: org, user: user, month: month, messages: messages, segments: segments)
            }
        }
    }

    public func usage(org: String?, user: String?, months: Set<String>) async throws -> [UsageRow] {
        guard let oldest = months.min() else { return [] }
        return try await read { session in
            try await session.rows("""
                SELECT org_id, user_id, month, messages, segments FROM usage
                WHERE (\(org)::text IS NULL OR org_id = \(org)) AND (\(user)::text IS NULL OR user_id = \(user)) AND month >= \(oldest)
                ORDER BY org_id, month, user_id
                """).compactMap { row in
                let (org, user, month, messages, segments) = try row.decode((String, String, String, Int, Int).self)
                return months.contains(month) ? UsageRow(org: org, user: user, month: month, messages: messages, segments: segments) : nil
            }
        }
    }
}
