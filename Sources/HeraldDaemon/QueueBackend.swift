import Foundation
import HeraldConfig
import HeraldStore

extension PostgresEndpoint {
    /// Where `[database] url` points, with the password read from its file or credential.
    public init(_ server: HeraldConfiguration.PostgreSQLServer, password: String?) {
        let address: Address = switch server.host {
        case let .tcp(host): .tcp(host: host, port: server.port)
        case let .socket(folder): .socket(folder: folder, port: server.port)
        }
        let tls = TLSMode(rawValue: server.sslMode.rawValue) ?? .prefer
        self.init(address: address, user: server.user, password: password, database: server.database, tls: tls)
    }
}

/// What `heraldd --check-config` asks of the configured queue before the daemon would start on it.
public enum QueueBackend {
    /// nil for SQLite (its file is opened, and checked, at start); for PostgreSQL, the server as
    /// named in the configuration and the `version()` it answered with.
    /// - Throws: `ConfigurationError` when the password file or credential cannot be read,
    ///   `StoreError.cannotConnect` when the server does not answer or refuses.
    public static func checkServer(_ database: HeraldConfiguration.Database) async throws -> (server: String, version: String)? {
        guard database.backend == .postgresql, let server = database.postgresql else { return nil }
        let queue = PostgresQueue(endpoint: PostgresEndpoint(server, password: try server.resolvePassword()))
        return (queue.endpoint.description, try await queue.checkConnection())
    }

    /// Brings the configured queue's schema up to date, without starting: before a migration of
    /// data into it (scripts/sqlite-to-postgresql.sh), or ahead of a deploy. Returns where it is.
    public static func migrate(_ database: HeraldConfiguration.Database) async throws -> String {
        guard database.backend == .postgresql, let server = database.postgresql else {
            return try QueueDatabase(path: database.path).location
        }
        let queue = PostgresQueue(endpoint: PostgresEndpoint(server, password: try server.resolvePassword()))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await queue.run() }
            defer { tasks.cancelAll() }
            await queue.untilRunning()
            try await queue.migrate()
            return queue.location
        }
    }
}
