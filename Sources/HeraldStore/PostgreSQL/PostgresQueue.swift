import Foundation
import HeraldCore
import Logging
import PostgresNIO
import Synchronization

/// The PostgreSQL queue: the same seam as `QueueDatabase` (QueueStore.swift), on a server several
/// heraldd may share. A pool of connections (postgres-nio's `PostgresClient`), which `run()` drives
/// for as long as the store is used; every state change and its event commit in one transaction.
public final class PostgresQueue: Sendable {
    public let endpoint: PostgresEndpoint
    /// When texts still `sent` are looked up (`[reconcile]`).
    public let reconcile: ReconcileSchedule
    /// This heraldd, when it shares the queue with others: claims then take texts only from the
    /// sender numbers it leases, and mark them as its own. nil: the only heraldd on this queue.
    public let instance: InstanceIdentity?
    /// What the last lease turn left this instance holding, and until when it may claim on it.
    let held = Mutex<HeldLeases>(HeldLeases())
    /// The connection lease turns run on, outside the pool.
    let leaseLine = PostgresLine()
    /// The connection the dispatcher's claims run on, outside the pool.
    let claimLine = PostgresLine()
    let client: PostgresClient
    let logger: Logger
    /// Fails statements left unanswered on a closed connection (`run()` sweeps it).
    let queryWatch = PostgresQueryWatch()
    /// Opened once `run()` drives the pool: a lease asked for before waits (and postgres-nio
    /// warns about it in the journal), so the first callers wait here instead.
    private let running = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    /// Told how long each write transaction took, for the metrics endpoint.
    private let writeTimer: (@Sendable (Duration) -> Void)?

    public init(
        endpoint: PostgresEndpoint, instance: InstanceIdentity? = nil, reconcile: ReconcileSchedule = .standard,
        maximumConnections: Int = 8, logger: Logger = Logger(label: "herald.postgres"),
        writeTimer: (@Sendable (Duration) -> Void)? = nil
    ) {
        self.endpoint = endpoint
        self.instance = instance
        self.reconcile = reconcile
        self.logger = logger
        self.writeTimer = writeTimer
        var configuration: PostgresClient.Configuration
        switch endpoint.address {
        case let .tcp(host, port):
            configuration = .init(host: host, port: port, username: endpoint.user, password: endpoint.password,
                                  database: endpoint.database, tls: Self.tls(endpoint.tls))
        case let .socket(folder, port):
            configuration = .init(unixSocketPath: "\(folder)/.s.PGSQL.\(port)", username: endpoint.user,
                                  password: endpoint.password, database: endpoint.database)
        }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(10)
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// What `sslmode` asks of TLS, for the pool and for the connections of its own alike
    /// (PostgresReachability.swift): nil for none; `required` false when plain text is accepted.
    static func tlsPolicy(_ mode: PostgresEndpoint.TLSMode) -> (configuration: TLSConfiguration, required: Bool)? {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        switch mode {
        case .disable: return nil
        case .allow, .prefer: return (unverified, false)
        case .require: return (unverified, true)
        case .verifyCA:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .noHostnameVerification
            return (configuration, true)
        case .verifyFull: return (.makeClientConfiguration(), true)
        }
    }

    private static func tls(_ mode: PostgresEndpoint.TLSMode) -> PostgresClient.Configuration.TLS {
        guard let policy = tlsPolicy(mode) else { return .disable }
        return policy.required ? .require(policy.configuration) : .prefer(policy.configuration)
    }

    /// Drives the connection pool until the calling task is cancelled: the daemon runs it in its
    /// service group, a test in a task of its own. Nothing reaches the server while it is not running.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.queryWatch.watch() }
            let waiters = running.withLock { state in
                state.open = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
            await client.run()
            await leaseLine.close()
            await claimLine.close()
            group.cancelAll()
        }
    }

    /// Returns once `run()` has started driving the pool.
    public func untilRunning() async {
        await withCheckedContinuation { continuation in
            let open = running.withLock { state in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if open { continuation.resume() }
        }
    }

    /// Brings the schema up to date (PostgresMigrations); call once `run()` is running.
    public func migrate() async throws {
        try await connect { session in try await PostgresMigrator.migrate(session, location: self.endpoint.description) }
    }

    /// A leased connection, outside any transaction.
    func connect<T: Sendable>(_ body: (PostgresSession) async throws -> T) async throws -> T {
        try await typedErrors {
            try await client.withConnection { connection in
                try await body(PostgresSession(connection: connection, logger: self.logger, watch: self.queryWatch))
            }
        }
    }

    /// Runs `body`, turning postgres-nio's errors into the store's typed ones.
    func typedErrors<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresConnectionGone {
            throw StoreError.connectionLost(server: endpoint.description, reason: "\(error)")
        } catch let error as PSQLError {
            // PSQLError's own description hides the server's words; the journal needs them.
            let server = endpoint.description, reason = Self.describe(error)
            // Refused at the door: no route, a wrong password (SQLSTATE class 28), no such database (3D).
            let state = error.serverInfo?[.sqlState] ?? ""
            if (error.serverInfo == nil && !Self.connectionLost(error)) || state.hasPrefix("28") || state.hasPrefix("3D") {
                throw StoreError.cannotConnect(server: server, reason: reason)
            }
            if Self.connectionLost(error) { throw StoreError.connectionLost(server: server, reason: reason) }
            throw StoreError.statementFailed(server: server, reason: reason)
        }
    }

    /// One transaction: committed when `body` returns, rolled back when it throws, and the error
    /// rethrown as it was (callers match on the store's typed errors).
    func transaction<T: Sendable>(_ body: (PostgresSession) async throws -> T) async throws -> T {
        try await connect { session in try await Self.transaction(on: session, body) }
    }

    static func transaction<T: Sendable>(on session: PostgresSession, _ body: (PostgresSession) async throws -> T) async throws -> T {
        try await session.execute("BEGIN")
        do {
            let value = try await body(session)
            try await session.execute("COMMIT")
            return value
        } catch {
            // A connection the server dropped (a restart, a failover) rolled back with it; a
            // ROLLBACK sent on it now could wait for an answer that never comes.
            if !connectionLost(error) { _ = try? await session.execute("ROLLBACK") }
            throw error
        }
    }

    /// The write transactions the store's functions make, timed for the metrics endpoint; on a
    /// pooled connection, or on `line`.
    func write<T: Sendable>(on line: PostgresLine? = nil, _ body: (PostgresSession) async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        defer { writeTimer?(ContinuousClock.now - start) }
        if let line { return try await line.transaction(self, body) }
        return try await transaction(body)
    }

    /// A read: one statement sees one snapshot; several in a row share a transaction.
    func read<T: Sendable>(_ body: (PostgresSession) async throws -> T) async throws -> T {
        try await transaction(body)
    }

    /// Whether `error` ended the connection itself: the server closed it or said FATAL
    /// (`57P01` admin shutdown, and the like), or the socket failed.
    static func connectionLost(_ error: any Error) -> Bool {
        if error is PostgresConnectionGone { return true }
        guard let error = error as? PSQLError else { return false }
        if [.serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown].contains(error.code) { return true }
        let severity = error.serverInfo?[.severity] ?? ""
        let state = error.serverInfo?[.sqlState] ?? ""
        return severity == "FATAL" || severity == "PANIC" || state.hasPrefix("57P") || state.hasPrefix("08")
    }

    /// The server's own words: PSQLError's description hides them so as not to leak data by accident.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return message + (error.serverInfo?[.detail].map { " (\($0))" } ?? "")
                    + (error.serverInfo?[.sqlState].map { " [SQLSTATE \($0)]" } ?? "")
            }
            return "\(error.code)" + (error.underlying.map { ": " + describe($0) } ?? "")
        }
        return "\(error)"
    }
}
