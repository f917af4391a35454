import Foundation
import HeraldStore
import Logging
import PostgresNIO

/// The bench's own connection to the private PostgreSQL cluster `make bench` starts: it makes and
/// drops one database per run, and plays the producer and the observer there, as an application
/// would (nothing but `INSERT INTO outbox` and reads of the queue).
final class BenchPostgres: Sendable {
    let folder: String
    let port: Int
    let user: String
    let database: String
    private let client: PostgresClient
    private let pool: Task<Void, Never>

    init(folder: String, port: Int, user: String, database: String) {
        self.folder = folder
        self.port = port
        self.user = user
        self.database = database
        var logger = Logger(label: "herald-bench.postgres")
        logger.logLevel = .critical
        client = PostgresClient(
            configuration: .init(unixSocketPath: "\(folder)/.s.PGSQL.\(port)", username: user, password: nil, database: database),
            backgroundLogger: logger
        )
        pool = Task { [client] in await client.run() }
    }

    deinit { pool.cancel() }

    /// `[database] url` of a database of this cluster, as heraldd's configuration names it.
    func url(of name: String) -> String {
        PostgresEndpoint(address: .socket(folder: folder, port: port), user: user, database: name).description
    }

    func on(_ name: String) -> BenchPostgres { BenchPostgres(folder: folder, port: port, user: user, database: name) }

    func execute(_ query: PostgresQuery) async throws {
        _ = try await client.query(query).collect()
    }

    func int(_ query: PostgresQuery) async throws -> Int {
        try await client.query(query).collect().first.map { try $0.decode(Int?.self) ?? 0 } ?? 0
    }

    func pairs(_ query: PostgresQuery) async throws -> [(String, Int)] {
        try await client.query(query).collect().map { try $0.decode((String, Int).self) }
    }

    /// `count` conversational texts of `workload`, from text number `first` on, in producer
    /// transactions of a thousand rows.
    func produce(_ count: Int, from first: Int, workload: Workload) async throws {
        var done = 0
        while done < count {
            let batch = (done..<min(done + OutboxProducer.batchSize, count)).map { first + $0 }
            try await execute("""
                INSERT INTO outbox (org, sender, to_number, body)
                SELECT \(BenchSettings.org), sender, to_number, body
                FROM unnest(\(batch.map(workload.senderID))::text[], \(batch.map(workload.recipient))::text[],
                            \(batch.map(workload.body))::text[]) AS v(sender, to_number, body)
                """)
            done += batch.count
        }
    }
}
