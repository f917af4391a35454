import Foundation

/// Where the PostgreSQL queue lives, as `[database] url` names it once parsed: a server by host
/// and port, or a local one by the folder holding its Unix socket. The password comes from a
/// file or a systemd credential, never from herald.toml (HeraldConfig reads it).
public struct PostgresEndpoint: Sendable, Equatable, CustomStringConvertible {
    public enum Address: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The folder holding `.s.PGSQL.<port>`, as libpq names a socket.
        case socket(folder: String, port: Int)
    }

    /// libpq's `sslmode`, as far as a client that cannot read libpq's files can follow it.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var address: Address
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(address: Address, user: String, password: String? = nil, database: String, tls: TLSMode = .prefer) {
        self.address = address
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// For logs and `heraldctl status`: never the password.
    public var description: String {
        switch address {
        case let .tcp(host, port): "postgresql://\(user)@\(host):\(port)/\(database)"
        case let .socket(folder, port): "postgresql://\(user)@\(folder.replacingOccurrences(of: "/", with: "%2F")):\(port)/\(database)"
        }
    }
}
