import Foundation

extension HeraldConfiguration {
    /// `[database] url` for `backend = "postgresql"`, taken apart: libpq's URL form, so what an
    /// operator already hands to psql works here (`postgresql://herald@db.example.com:5432/herald?sslmode=require`).
    /// A host that is a folder (written `%2Frun%2Fpostgresql` or as `?host=/run/postgresql`) is
    /// where the server's Unix socket is. The password never sits in the URL or the file.
    public struct PostgreSQLServer: Sendable, Equatable {
        public enum Host: Sendable, Equatable {
            case tcp(String)
            /// The folder holding the server's socket, `.s.PGSQL.<port>`.
            case socket(folder: String)
        }

        /// libpq's `sslmode` values; over a Unix socket there is no TLS, whatever it says.
        public enum SSLMode: String, Sendable, CaseIterable {
            case disable, allow, prefer, require
            case verifyCA = "verify-ca"
            case verifyFull = "verify-full"
        }

        public var host: Host
        public var port: Int
        public var user: String
        public var database: String
        public var sslMode: SSLMode
        /// nil: no password is sent (peer or trust authentication over the socket, or a certificate).
        public var passwordSource: TokenSource?

        public init(host: Host, port: Int = 5432, user: String = "herald", database: String = "herald", sslMode: SSLMode = .prefer,
                    passwordSource: TokenSource? = nil) {
            self.host = host
            self.port = port
            self.user = user
            self.database = database
            self.sslMode = sslMode
            self.passwordSource = passwordSource
        }

        /// The password from where `passwordSource` points; nil when none is configured. Read when
        /// the daemon starts, as the carrier token is, so `heraldctl config check` can check a file
        /// whose secrets only the daemon may read.
        public func resolvePassword(
            environment: [String: String] = ProcessInfo.processInfo.environment
        ) throws(ConfigurationError) -> String? {
            guard let passwordSource else { return nil }
            do throws(PasswordFile.Unavailable) {
                return try PasswordFile.read(passwordSource, section: "database", environment: environment)
            } catch {
                throw .databasePasswordUnavailable(key: error.key, path: error.path, reason: error.reason)
            }
        }
    }
}

/// Reads `postgresql://[user@][host][:port][/database][?sslmode=…&host=…]` into its parts, or
/// says in one sentence what is wrong with it.
enum PostgreSQLURL {
    static func parse(_ text: String) -> Result<HeraldConfiguration.PostgreSQLServer, Problem> {
        let schemes = ["postgresql://", "postgres://"]
        guard let scheme = schemes.first(where: { text.lowercased().hasPrefix($0) }) else { return .failure(.scheme) }
        var rest = Substring(text.dropFirst(scheme.count))
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var user = "herald"
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            if userInfo.contains(":") { return .failure(.passwordInURL) }
            guard let decoded = String(userInfo).removingPercentEncoding, !decoded.isEmpty else { return .failure(.user) }
            user = decoded
            rest = rest[rest.index(after: at)...]
        }
        var port = 5432
        var host = String(rest)
        if rest.hasPrefix("[") {
            // An IPv6 literal: [::1]:5432.
            guard let close = rest.firstIndex(of: "]") else { return .failure(.host(String(rest))) }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = Int(after.dropFirst()) else { return .failure(.port(String(after.dropFirst()))) }
                port = number
            }
        } else if let colon = rest.lastIndex(of: ":") {
            guard let number = Int(rest[rest.index(after: colon)...]) else { return .failure(.port(String(rest[rest.index(after: colon)...]))) }
            port = number
            host = String(rest[..<colon])
        }
        guard (1...65_535).contains(port) else { return .failure(.port(String(port))) }
        guard let decodedHost = host.removingPercentEncoding else { return .failure(.host(host)) }
        host = decodedHost
        var database = user
        if !path.isEmpty {
            guard let decoded = String(path).removingPercentEncoding, !decoded.contains("/") else { return .failure(.database(String(path))) }
            database = decoded
        }
        var sslMode = HeraldConfiguration.PostgreSQLServer.SSLMode.prefer
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let name = String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            switch name {
            case "sslmode":
                guard let mode = HeraldConfiguration.PostgreSQLServer.SSLMode(rawValue: value) else { return .failure(.sslMode(value)) }
                sslMode = mode
            case "host":
                host = value
            case "password":
                return .failure(.passwordInURL)
            default:
                return .failure(.parameter(name))
            }
        }
        if host.isEmpty { return .failure(.noHost) }
        let server: HeraldConfiguration.PostgreSQLServer.Host = host.hasPrefix("/") ? .socket(folder: host) : .tcp(host)
        return .success(.init(host: server, port: port, user: user, database: database, sslMode: sslMode))
    }

    enum Problem: Error, Equatable {
        case scheme, passwordInURL, user, noHost
        case host(String), port(String), database(String), sslMode(String), parameter(String)

        func describe(_ url: String) -> String {
            let written = String(reflecting: url)
            switch self {
            case .scheme:
                return "\(written) is not a postgresql:// URL (postgresql://USER@HOST:PORT/DATABASE?sslmode=MODE)"
            case .passwordInURL:
                return "the URL holds a password; the password is never accepted in the configuration file (it is world-readable and ends up in backups): put it in a file named by database.password_file or in the systemd credential named by database.password_credential"
            case .user:
                return "\(written) has an empty user name before \"@\""
            case .noHost:
                return "\(written) names no host: write the server's name or address, or the folder of its Unix socket as %2Frun%2Fpostgresql or ?host=/run/postgresql"
            case .host(let host):
                return "\(written): \(String(reflecting: host)) is not a host name, an address or a socket folder"
            case .port(let port):
                return "\(written): \(String(reflecting: port)) is not a port between 1 and 65535"
            case .database(let database):
                return "\(written): \(String(reflecting: database)) is not a database name"
            case .sslMode(let mode):
                let modes = HeraldConfiguration.PostgreSQLServer.SSLMode.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                return "\(written): sslmode \(String(reflecting: mode)) is not one of \(modes)"
            case .parameter(let name):
                return "\(written): parameter \(String(reflecting: name)) is not understood; Herald reads sslmode and host"
            }
        }
    }
}
