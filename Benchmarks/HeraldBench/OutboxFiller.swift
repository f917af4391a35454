import Foundation
import GRDB

/// Fills the outbox the way an application would: its own connection, plain INSERTs, one
/// transaction per batch.
enum OutboxFiller {
    static let batchSize = 1000

    /// Returns how long the inserts took.
    static func fill(_ producer: DatabaseQueue, messages: Int, senders: Int) throws -> Duration {
        let started = ContinuousClock.now
        var next = 0
        while next < messages {
            let end = min(next + batchSize, messages)
            try producer.write { db in
                let insert = try db.cachedStatement(sql: "INSERT INTO outbox (org, sender, to_number, body) VALUES (?, ?, ?, ?)")
                for index in next..<end {
                    try insert.execute(arguments: [
                        BenchSettings.org, BenchSettings.senderID(index % senders),
                        BenchSettings.recipient(index), BenchSettings.body(index),
                    ])
                }
            }
            next = end
        }
        return started.duration(to: .now)
    }
}
