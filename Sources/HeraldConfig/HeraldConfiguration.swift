import Foundation
import HeraldCore

/// Everything `/etc/herald/herald.toml` says, checked and typed (docs/systemd.md).
///
/// Values are plain and complete: every default is already applied and every relative path is
/// already absolute, so the daemon never needs to know where the file was.
public struct HeraldConfiguration: Sendable, Equatable {
    public var database: Database
    public var admin: Admin
    public var webhooks: Webhooks
    public var metrics: Metrics
    public var carrier: Carrier
    public var retry: Retry
    public var rates: Rates
    public var dispatch: Dispatch
    public var ingest: Ingest
    public var windows: Windows
    public var retention: Retention
    public var instance: Instance
    public var reconcile: Reconcile
    public var log: Log
    /// Forwarding replies by email; nil when the file has no `[email]` section.
    public var email: Email?
    /// Organizations known at start; the daemon upserts them into the database.
    public var orgs: [Organization]

    public init(
        database: Database = Database(),
        admin: Admin = Admin(),
        webhooks: Webhooks = Webhooks(),
        metrics: Metrics = Metrics(),
        carrier: Carrier,
        retry: Retry = Retry(),
        rates: Rates = Rates(),
        dispatch: Dispatch = Dispatch(),
        ingest: Ingest = Ingest(),
        windows: Windows = Windows(),
        retention: Retention = Retention(),
        instance: Instance = Instance(),
        reconcile: Reconcile = Reconcile(),
        log: Log = Log(),
        email: Email? = nil,
        orgs: [Organization] = []
    ) {
        self.database = database
        self.admin = admin
        self.webhooks = webhooks
        self.metrics = metrics
        self.carrier = carrier
        self.retry = retry
        self.rates = rates
        self.dispatch = dispatch
        self.ingest = ingest
        self.windows = windows
        self.retention = retention
        self.instance = instance
        self.reconcile = reconcile
        self.log = log
        self.email = email
        self.orgs = orgs
    }

    public struct Database: Sendable, Equatable {
        /// Where the queue lives: an embedded SQLite file (the default), or a PostgreSQL server
        /// several heraldd may share.
        public enum Backend: String, Sendable, CaseIterable {
            case sqlite, postgresql
        }

        /// Absolute path of the SQLite queue file (`backend = "sqlite"`).
        public var path: String
        public var backend: Backend
        /// The server, for `backend = "postgresql"`; nil otherwise.
        public var postgresql: PostgreSQLServer?

        public init(path: String = "/var/lib/herald/herald.db", backend: Backend = .sqlite, postgresql: PostgreSQLServer? = nil) {
            self.path = path
            self.backend = backend
            self.postgresql = postgresql
        }
    }

    public struct Admin: Sendable, Equatable {
        /// Absolute path of the admin Unix socket (docs/admin.md).
        public var socket: String

        /// Members of this group may run commands that change the queue; root and heraldd's own
        /// user always may. Empty: nobody else.
        public var adminGroup: String
        /// Connections served at once; more are refused with `too_many_connections`.
        public var maxConnections: Int
        /// Seconds a connection may stay silent before it is closed (a `watch` never is).
        public var idleTimeout: Double

        public init(socket: String = "/run/herald/admin.sock", adminGroup: String = "", maxConnections: Int = 16,
                    idleTimeout: Double = 300) {
            self.socket = socket
            self.adminGroup = adminGroup
            self.maxConnections = maxConnections
            self.idleTimeout = idleTimeout
        }
    }

    public struct Webhooks: Sendable, Equatable {
        /// Address the HTTP listener binds; an IPv6 host is kept without its brackets.
        public var listenHost: String
        public var listenPort: Int
        /// Base URL the carrier calls, without a trailing slash: signatures are computed over the
        /// exact URL the carrier used, so it must match what the carrier was told. Not used with
        /// `listenPort` 0: the carrier is then told the address the listener was bound to.
        public var publicURL: String

        public init(listenHost: String = "127.0.0.1", listenPort: Int = 8088, publicURL: String = "http://127.0.0.1:8088") {
            self.listenHost = listenHost
            self.listenPort = listenPort
            self.publicURL = publicURL
        }
    }

    /// The Prometheus endpoint (docs/metrics.md).
    public struct Metrics: Sendable, Equatable {
        /// Where `GET /metrics` is served; nil turns the endpoint off (`listen = ""`).
        public var listenHost: String?
        public var listenPort: Int

        public init(listenHost: String? = "127.0.0.1", listenPort: Int = 9469) {
            self.listenHost = listenHost
            self.listenPort = listenPort
        }
    }

    public struct Retry: Sendable, Equatable {
        public var minBackoff: Double
        public var maxBackoff: Double
        public var maxAttempts: Int
        public var jitter: Double

        public init(minBackoff: Double = 5, maxBackoff: Double = 3600, maxAttempts: Int = 10, jitter: Double = 0.2) {
            self.minBackoff = minBackoff
            self.maxBackoff = maxBackoff
            self.maxAttempts = maxAttempts
            self.jitter = jitter
        }

        public var retryPolicy: RetryPolicy {
            RetryPolicy(minimumBackoff: minBackoff, maximumBackoff: maxBackoff, maxAttempts: maxAttempts, jitter: jitter)
        }
    }

    /// Segments per second per sender number, by number type (docs/carrier.md).
    public struct Rates: Sendable, Equatable {
        public var longCode: Double
        public var tollFree: Double
        public var shortCode: Double

        public init(longCode: Double = 1, tollFree: Double = 3, shortCode: Double = 100) {
            self.longCode = longCode
            self.tollFree = tollFree
            self.shortCode = shortCode
        }

        public func rate(for type: NumberType) -> Double {
            switch type {
            case .longCode: longCode
            case .tollFree: tollFree
            case .shortCode: shortCode
            }
        }
    }

    public struct Dispatch: Sendable, Equatable {
        public var batchSize: Int
        /// Longest sleep when nothing is due, in seconds.
        public var idleWait: Double
        /// Seconds to let in-flight posts finish after SIGTERM before recording them and exiting.
        public var shutdownGrace: Double

        public init(batchSize: Int = 256, idleWait: Double = 1, shutdownGrace: Double = 10) {
            self.batchSize = batchSize
            self.idleWait = idleWait
            self.shutdownGrace = shutdownGrace
        }
    }

    public struct Ingest: Sendable, Equatable {
        public var batchSize: Int

        public init(batchSize: Int = 250) {
            self.batchSize = batchSize
        }
    }

    /// Recipient quiet hours and state rules (docs/windows.md).
    public struct Windows: Sendable, Equatable {
        /// Where `rules` came from; nil for the table built into heraldd.
        public var rulesFile: String?
        public var rules: StateRuleTable

        public init(rulesFile: String? = nil, rules: StateRuleTable = .shipped) {
            self.rulesFile = rulesFile
            self.rules = rules
        }
    }

    public struct Retention: Sendable, Equatable {
        /// Bodies of final messages older than this are purged; usage and consent stay.
        public var days: Int

        public init(days: Int = 60) {
            self.days = days
        }
    }

    /// This heraldd among several on one PostgreSQL queue (docs/instances.md).
    public struct Instance: Sendable, Equatable {
        /// How the others know this instance: its sender leases, heartbeat and claims carry it.
        /// nil: the machine's hostname.
        public var id: String?
        /// Seconds a lease or heartbeat lasts without renewal: how long a killed instance's
        /// senders wait before another instance takes them. Renewed every third of it.
        public var leaseTime: Double

        public init(id: String? = nil, leaseTime: Double = 15) {
            self.id = id
            self.leaseTime = leaseTime
        }

        /// `id`, or the hostname when the file names none.
        public var resolvedID: String {
            if let id { return id }
            var name = [CChar](repeating: 0, count: 256)
            guard gethostname(&name, name.count) == 0 else { return "heraldd" }
            let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return host.isEmpty ? "heraldd" : host
        }

        /// What an id may be: it shows in logs, `heraldctl status` and SQL rows.
        public static func isValidID(_ id: String) -> Bool {
            !id.isEmpty && id.count <= 64 && id.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
            }
        }
    }

    public struct Log: Sendable, Equatable {
        public var level: LogLevel

        public init(level: LogLevel = .info) {
            self.level = level
        }
    }

    /// Same names as swift-log's `Logger.Level`, so `Logger.Level(rawValue:)` maps it directly.
    public enum LogLevel: String, Sendable, Equatable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }
}
