import Foundation
import GRDB
import HeraldCore

extension QueueDatabase: MetricsStore {
    public func queueGauges(now: Date) async throws -> QueueGauges {
        let (byState, held, oldestDue) = try await pool.read { db in
            // One pass over message_state (the partial index of the non-final states) gives both
            // the counts by state and, for the waiting ones, by held reason.
            var byState: [MessageState: Int] = [:]
            var held: [HeldReason: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT state, held_reason, COUNT(*) FROM message INDEXED BY message_state
                WHERE \(MessageStateIndex.predicate) GROUP BY state, held_reason
                """) {
                guard let state = MessageState(rawValue: row[0]) else { continue }
                let count: Int = row[2]
                byState[state, default: 0] += count
                if [.queued, .scheduled, .awaitingConsent].contains(state), let reason = HeldReason(rawValue: row[1] ?? "") {
                    held[reason, default: 0] += count
                }
            }
            let oldest = try Int64.fetchOne(db, sql: """
                SELECT MIN(not_before) FROM message INDEXED BY message_due
                WHERE state IN ('queued', 'scheduled') AND not_before <= ?
                """, arguments: [now.millis])
            return (byState, held, oldest)
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
