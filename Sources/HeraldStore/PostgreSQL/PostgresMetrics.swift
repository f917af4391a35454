import Foundation
import HeraldCore
import PostgresNIO

extension PostgresQueue: MetricsStore {
    /// One pass over the partial index of the non-final states, as for SQLite; a server's
    /// write-ahead log is the server's business, so `walBytes` is nil.
    public func queueGauges(now: Date) async throws -> QueueGauges {
        try await read { session in
            var byState: [MessageState: Int] = [:]
            var held: [HeldReason: Int] = [:]
            for row in try await session.rows("""
                SELECT state, held_reason, COUNT(*) FROM message
                WHERE state IN ('queued', 'scheduled', 'awaiting_consent', 'sending', 'sent') GROUP BY state, held_reason
                """) {
                let (stateText, reason, count) = try row.decode((String, String?, Int).self)
                guard let state = MessageState(rawValue: stateText) else { continue }
                byState[state, default: 0] += count
                if [.queued, .scheduled, .awaitingConsent].contains(state), let reason = HeldReason(rawValue: reason ?? "") {
                    held[reason, default: 0] += count
                }
            }
            let oldest = try await session.value("""
                SELECT MIN(not_before) FROM message WHERE state IN ('queued', 'scheduled') AND not_before <= \(now.millis)
                """, as: Int64.self)
            return QueueGauges(byState: byState, held: held, oldestDueSince: oldest.map(Date.init(millis:)), walBytes: nil)
        }
    }

    public func transitions(after id: Int64) async throws -> TransitionCounts {
        try await read { session in
            var counts: [TransitionCounts.Key: Int] = [:]
            var last = id
            for row in try await session.rows("""
                SELECT to_state, COALESCE(reason, 'none'), COUNT(*), MAX(id) FROM message_event WHERE id > \(id) GROUP BY 1, 2
                """) {
                let (state, reason, count, maximum) = try row.decode((String, String, Int, Int64).self)
                counts[TransitionCounts.Key(toState: state, reason: reason)] = count
                last = max(last, maximum)
            }
            return TransitionCounts(counts: counts, lastEventID: last)
        }
    }
}
