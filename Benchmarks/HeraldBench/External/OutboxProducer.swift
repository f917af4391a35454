import Foundation
import GRDB

/// A producer as docs/producers.md describes one: its own connection to the queue file, a busy
/// timeout because heraldd writes the same file, and nothing but `INSERT INTO outbox`. Ids are
/// the outbox's rowids, which become the message ids (read back through the public views).
final class OutboxProducer {
    struct Inserted {
        var firstID: Int64
        var lastID: Int64
        var count: Int { Int(lastID - firstID + 1) }
    }

    /// Rows per producer transaction, as the in-process bench's filler: one fsync per thousand.
    static let batchSize = 1000

    private let queue: DatabaseQueue
    private let workload: Workload
    /// The next text index, so texts of later phases continue the conversations' rotation.
    private var next = 0

    init(databasePath: String, workload: Workload) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        queue = try DatabaseQueue(path: databasePath, configuration: configuration)
        self.workload = workload
    }

    func close() throws { try queue.close() }

    /// `count` conversational texts, due at once.
    func insertTexts(_ count: Int) throws -> Inserted {
        try insert(count, sendAt: nil)
    }

    /// `count` conversational texts due only at `sendAt`: heraldd takes them in as `scheduled`
    /// and leaves them, which is what a queue of deferred work is to the claim.
    func insertDeferred(_ count: Int, sendAt: Date) throws -> Inserted {
        try insert(count, sendAt: Self.iso(sendAt))
    }

    /// One text in its own transaction; returns its id once the commit is done, the instant the
    /// row exists for heraldd.
    func insertOne() throws -> Int64 {
        try insert(1, sendAt: nil).lastID
    }

    private func insert(_ count: Int, sendAt: String?) throws -> Inserted {
        precondition(count > 0)
        var first: Int64?
        var last: Int64 = 0
        var done = 0
        while done < count {
            let end = min(done + Self.batchSize, count)
            try queue.write { db in
                let statement = try db.cachedStatement(sql: "INSERT INTO outbox (org, sender, to_number, body, send_at) VALUES (?, ?, ?, ?, ?)")
                for _ in done..<end {
                    let index = next
                    next += 1
                    try statement.execute(arguments: [
                        BenchSettings.org, workload.senderID(index), workload.recipient(index), workload.body(index), sendAt,
                    ])
                    last = db.lastInsertedRowID
                    if first == nil { first = last }
                }
            }
            done = end
        }
        // AUTOINCREMENT and one writer (this connection) per batch: a batch's ids are consecutive;
        // checked, since every later query ranges over them.
        guard let first, last - first + 1 == Int64(count) else {
            throw BenchFailure("the outbox ids of \(count) rows were not consecutive (\(first ?? -1)...\(last))")
        }
        return Inserted(firstID: first, lastID: last)
    }

    /// `send_at` in one of the contract's formats: ISO 8601 with Z.
    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
