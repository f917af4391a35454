import Foundation
import HeraldCore
import HeraldStore
import Logging
import PostgresNIO
import Synchronization

/// Databases of the private cluster (``PostgresCluster``), one per test so tests stay independent
/// however they interleave. Each is a copy of `herald_template`, migrated once per process:
/// copying a database is much cheaper than running every schema step again. A database is dropped
/// by the next test that asks for one after its own test has let it go.
public enum PostgresTestDatabases {
    private static let counter = Atomic<Int>(0)
    private static let released = Mutex<[String]>([])
    private static let template = TemplateDatabase()
    private static let logger = {
        var logger = Logger(label: "herald.tests.postgres")
        logger.logLevel = .error
        return logger
    }()

    /// A new database, already migrated; returns its name.
    public static func create() async throws -> String {
        let cluster = try PostgresCluster.shared()
        try await template.ready(cluster)
        let name = "herald_test_\(getpid())_\(counter.add(1, ordering: .relaxed).newValue)"
        let dropping = released.withLock { names in
            defer { names.removeAll() }
            return names
        }
        try await admin(cluster) { connection in
            for old in dropping {
                try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(old) WITH (FORCE)"), logger: logger)
            }
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(TemplateDatabase.name)"), logger: logger)
        }
        return name
    }

    /// The test is done with `name`: the next `create` drops it.
    public static func release(_ name: String) {
        released.withLock { $0.append(name) }
    }

    /// Where a store reaches database `name`.
    public static func endpoint(_ name: String) throws -> PostgresEndpoint {
        let cluster = try PostgresCluster.shared()
        return PostgresEndpoint(address: .socket(folder: cluster.folder, port: cluster.port), user: cluster.user, database: name, tls: .disable)
    }

    /// A connection to the cluster's `postgres` database for CREATE and DROP DATABASE, which no
    /// transaction may hold.
    static func admin<T>(_ cluster: PostgresCluster, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await PostgresConnection.connect(
            configuration: .init(unixSocketPath: cluster.socketPath, username: cluster.user, password: nil, database: "postgres"),
            id: 0, logger: logger
        )
        do {
            let value = try await body(connection)
            try await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// `herald_template`, made and migrated by the first test that needs a database.
    private actor TemplateDatabase {
        static let name = "herald_template"
        private var made: Task<Void, any Error>?

        func ready(_ cluster: PostgresCluster) async throws {
            let task = made ?? Task { try await Self.make(cluster) }
            made = task
            try await task.value
        }

        private static func make(_ cluster: PostgresCluster) async throws {
            try await admin(cluster) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            }
            let queue = PostgresQueue(
                endpoint: PostgresEndpoint(address: .socket(folder: cluster.folder, port: cluster.port), user: cluster.user,
                                           database: name, tls: .disable),
                maximumConnections: 1, logger: logger
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await queue.run() }
                try await queue.migrate()
                group.cancelAll()
            }
            // A copy needs the template to itself: close whatever the pool may have left behind.
            try await admin(cluster) { connection in
                try await connection.query("""
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(name) AND pid <> pg_backend_pid()
                    """, logger: logger)
            }
        }
    }
}

/// A PostgreSQL queue in a database of its own on the private cluster, its connection pool running
/// until the value goes: the PostgreSQL twin of ``TemporaryStore``.
public final class TemporaryPostgresQueue: Sendable {
    public let name: String
    public let queue: PostgresQueue
    private let pool: Task<Void, Never>

    public init(reconcile: ReconcileSchedule = .standard) async throws {
        name = try await PostgresTestDatabases.create()
        // Errors only: a lease asked for in the instant before the pool's task starts is warned about, and waits.
        var logger = Logger(label: "herald.tests.postgres")
        logger.logLevel = .error
        let queue = PostgresQueue(endpoint: try PostgresTestDatabases.endpoint(name), reconcile: reconcile, maximumConnections: 4,
                                  logger: logger)
        self.queue = queue
        pool = Task { await queue.run() }
    }

    deinit {
        pool.cancel()
        PostgresTestDatabases.release(name)
    }
}

/// One more heraldd's view of a ``TemporaryPostgresQueue``'s database: a pool of its own, claiming
/// as `identity` among the instances sharing the queue. Keeps the database alive while it lives.
public final class SharingPostgresQueue: Sendable {
    public let queue: PostgresQueue
    private let database: TemporaryPostgresQueue
    private let pool: Task<Void, Never>

    public init(_ database: TemporaryPostgresQueue, as identity: InstanceIdentity) throws {
        var logger = Logger(label: "herald.tests.postgres.\(identity.id)")
        logger.logLevel = .error
        let queue = PostgresQueue(endpoint: try PostgresTestDatabases.endpoint(database.name), instance: identity,
                                  reconcile: database.queue.reconcile, maximumConnections: 2, logger: logger)
        self.queue = queue
        self.database = database
        pool = Task { await queue.run() }
    }

    deinit {
        pool.cancel()
    }
}
