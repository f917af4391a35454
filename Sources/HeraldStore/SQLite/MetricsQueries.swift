import Foundation
import GRDB
import HeraldCore

extension QueueDatabase: MetricsStore {
    public func queueGauges(now: Date) async throws -> QueueGauges {
        let byState = try await countsByState()
        let (held, oldestDue) = try await pool.read { db in
            var held: [HeldReason: Int] = [:]
            // The first term repeats message_state's own condition, which is what lets SQLite use
            // that partial index; the second keeps the waiting states.
            for row in try Row.fetchAll(db, sql: """
                SELECT held_reason, COUNT(*) FROM message INDEXED BY message_state
                WHERE state IN ('queued', 'scheduled', 'awaiting_consent', 'sending', 'sent')
                    AND state IN ('queued', 'scheduled', 'awaiting_consent') AND held_reason IS NOT NULL
                GROUP BY held_reason
                """) {
                if let reason = HeldReason(rawValue: row[0]) { held[reason] = row[1] }
            }
            let oldest = try Int64.fetchOne(db, sql: """
                SELECT MIN(not_before) FROM message INDEXED BY message_due
                WHERE state IN ('queued', 'scheduled') AND not_before <= ?
                """, arguments: [now.millis])
            return (held, oldest)
        }
        let wal = try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber
        return QueueGauges(byState: byState, held: held, oldestDueSince: oldestDue.map(Date.init(millis:)), walBytes: wal?.int64Value)
    }

    public func transitions(after id: Int64) async throws -> TransitionCounts {
        try await pool.read { db in
            var counts: [TransitionCounts.Key: Int] = [:]
            var last = id
            for row in try Row.fetchAll(db, sql: """
                SELECT to_state, COALESCE(reason, 'none'), COUNT(*), MAX(id) FROM message_event WHERE id > ? GROUP BY 1, 2
                """, arguments: [id]) {
                counts[TransitionCounts.Key(toState: row[0], reason: row[1])] = row[2]
                last = max(last, row[3])
            }
            return TransitionCounts(counts: counts, lastEventID: last)
        }
    }
}
