import Foundation
import GRDB
import HeraldCore

extension QueueDatabase {
    /// Journeys still waiting for an opt-in when their `expires_at` passes become `expired`
    /// (docs/states.md). They are outside the claim index, so nothing else would ever look at them.
    /// - Returns: the ids expired, with their orgs, for the journal.
    public func expireAwaitingConsent(now: Date, limit: Int = 500) async throws -> [(id: Int64, org: String)] {
        try await timedWrite { db in
            let at = now.millis
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, org_id FROM message INDEXED BY message_state
                WHERE \(MessageStateIndex.predicate) -- the partial index's own term
                  AND state = 'awaiting_consent' AND expires_at <= ? ORDER BY id LIMIT ?
                """, arguments: [at, limit])
            let transitions = MessageTransitions(db, at: at)
            for row in rows {
                try transitions.end(row["id"], from: .awaitingConsent, to: .expired, reason: .expired,
                                    detail: "expires_at passed while waiting for the recipient to opt in")
            }
            return rows.map { (id: $0["id"], org: $0["org_id"]) }
        }
    }
}
