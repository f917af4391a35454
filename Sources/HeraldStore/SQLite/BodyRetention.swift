import Foundation
import GRDB
import HeraldCore

/// Retention (docs/data-safety.md): the texts people wrote are kept only as long as the operator allows;
/// what happened to them (rows, events, usage) is kept. A purged body becomes '' with
/// `body_purged_at` set, so it is never mistaken for a text that was empty, and the NOT NULL
/// body of `inbound_message` needs no table rebuild. `usage` is never touched, and the outbox
/// holds no body to purge: ingest deletes every row it takes.
enum BodyRetention {
    /// ?1 now and ?2 the cutoff, in Unix milliseconds; ?3 the most rows one transaction may purge.
    static let purgeInbound = """
        UPDATE inbound_message SET body = '', body_purged_at = ?1
        WHERE id IN (SELECT id FROM inbound_message
                     WHERE body_purged_at IS NULL AND received_at < ?2
                     ORDER BY received_at LIMIT ?3)
        """
}

extension QueueDatabase {
    /// Empties the bodies of at most `limit` messages that reached a final state before `cutoff`,
    /// oldest first, in one short write transaction; returns how many. Call again while it
    /// returns `limit`: the one writer is shared with dispatch and must not be held for long.
    public func purgeMessageBodies(finalBefore cutoff: Date, now: Date, limit: Int) async throws -> Int {
        try await timedWrite { db in
            try MessageTransitions(db, now: now).purgeBodies(finalBefore: cutoff, limit: limit)
        }
    }

    /// The same for replies, by the time they were received: a reply has no later state.
    public func purgeInboundBodies(receivedBefore cutoff: Date, now: Date, limit: Int) async throws -> Int {
        try await timedWrite { db in
            try db.cachedStatement(sql: BodyRetention.purgeInbound).execute(arguments: [now.millis, cutoff.millis, limit])
            return db.changesCount
        }
    }
}
