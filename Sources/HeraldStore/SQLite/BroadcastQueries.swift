import Foundation
import GRDB

extension QueueDatabase {
    /// The broadcast, its messages counted by (state, reason), and its first `limit` recipients
    /// (in `state` if given); every query walks `message_broadcast`, never the whole queue.
    public func broadcast(
        _ id: Int64, state: String?, limit: Int
    ) async throws -> (BroadcastRecord, [BroadcastTally], [BroadcastRecipient])? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, org_id, sender, group_name, body, state, members, accepted, rejected, created_at, finished_at
                FROM broadcast WHERE id = ?
                """, arguments: [id]) else { return nil }
            let record = BroadcastRecord(
                id: row["id"], org: row["org_id"], sender: row["sender"], group: row["group_name"], body: row["body"],
                state: row["state"], members: row["members"], accepted: row["accepted"], rejected: row["rejected"],
                createdAt: Date(millis: row["created_at"]), finishedAt: (row["finished_at"] as Int64?).map(Date.init(millis:))
            )
            let tallies = try Row.fetchAll(db, sql: """
                SELECT state, reason, COUNT(*) AS n FROM message WHERE broadcast_id = ?
                GROUP BY state, reason ORDER BY n DESC, state, reason
                """, arguments: [id]).map { BroadcastTally(state: $0["state"], reason: $0["reason"], count: $0["n"]) }
            let recipients = try Row.fetchAll(db, sql: """
                SELECT id, to_number, state, reason, detail FROM message
                WHERE broadcast_id = ?1 AND (?2 IS NULL OR state = ?2) ORDER BY id LIMIT ?3
                """, arguments: [id, state, limit]).map {
                BroadcastRecipient(messageID: $0["id"], to: $0["to_number"], state: $0["state"], reason: $0["reason"], detail: $0["detail"])
            }
            return (record, tallies, recipients)
        }
    }
}
