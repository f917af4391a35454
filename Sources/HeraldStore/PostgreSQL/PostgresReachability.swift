import Foundation
import Logging
import PostgresNIO

extension PostgresQueue {
    /// Connects once, outside the pool, and asks the server what it is: for `heraldd --check-config`
    /// and start-up, which must say at once that the server cannot be reached rather than wait in
    /// the pool's retries. Returns the server's `version()`.
    /// - Throws: `StoreError.cannotConnect` naming the server (never the password) and the reason.
    public func checkConnection(timeout: Duration = .seconds(10)) async throws -> String {
        let connection = try await connectOutsidePool(timeout: timeout)
        do {
            let version = try await PostgresSession(connection: connection, logger: logger, watch: PostgresQueryWatch()).value("SELECT version()", as: String.self)
            try await connection.close()
            return version ?? ""
        } catch {
            try? await connection.close()
            throw StoreError.cannotConnect(server: endpoint.description, reason: Self.describe(error))
        }
    }

    /// A connection of its own, with the pool's server, user and TLS: for a check, and for the
    /// outbox listener, whose LISTEN is session state the pool must not hand to anyone else.
    /// The caller closes it.
    /// - Throws: `StoreError.cannotConnect` naming the server (never the password) and the reason.
    func connectOutsidePool(timeout: Duration = .seconds(10)) async throws -> PostgresConnection {
        var configuration: PostgresConnection.Configuration
        switch endpoint.address {
        case let .tcp(host, port):
            let tls: PostgresConnection.Configuration.TLS
            do {
                tls = try Self.connectionTLS(endpoint.tls)
            } catch {
                throw StoreError.cannotConnect(server: endpoint.description, reason: "cannot set up TLS (sslmode=\(endpoint.tls.rawValue)): \(error)")
            }
            configuration = .init(host: host, port: port, username: endpoint.user, password: endpoint.password,
                                  database: endpoint.database, tls: tls)
        case let .socket(folder, port):
            configuration = .init(unixSocketPath: "\(folder)/.s.PGSQL.\(port)", username: endpoint.user,
                                  password: endpoint.password, database: endpoint.database)
        }
        configuration.options.connectTimeout = TimeAmount.nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000)
        do {
            return try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        } catch {
            throw StoreError.cannotConnect(server: endpoint.description, reason: Self.describe(error))
        }
    }

    /// A context that cannot be built is an error, never a quiet fall back to plain text.
    private static func connectionTLS(_ mode: PostgresEndpoint.TLSMode) throws -> PostgresConnection.Configuration.TLS {
        guard let policy = tlsPolicy(mode) else { return .disable }
        let context = try NIOSSLContext(configuration: policy.configuration)
        return policy.required ? .require(context) : .prefer(context)
    }
}
