import TOMLKit

/// Builds a `HeraldConfiguration` from a parsed document, section by section, logging every
/// problem instead of stopping at the first. Defaults come from the value types' initialisers,
/// so the documented default and the applied default cannot drift apart.
struct ConfigurationParser {
    let resolution: PathResolution
    let log = ProblemLog()

    /// Credential name used when the file names neither a token file nor a credential; matches
    /// `LoadCredential=carrier-token:…` in the shipped unit.
    static let defaultCredential = "carrier-token"

    func parse(_ document: TOMLTable) -> Result<HeraldConfiguration, ConfigurationError> {
        let root = TOMLReader(table: document, path: "", log: log)
        let database = parseDatabase(root.section("database"))
        let admin = parseAdmin(root.section("admin"))
        let webhooks = parseWebhooks(root.section("webhooks"))
        let metrics = parseMetrics(root.section("metrics"))
        let carrier = parseCarrier(root.section("carrier"))
        let retry = parseRetry(root.section("retry"))
        let rates = parseRates(root.section("rates"))
        let dispatch = parseDispatch(root.section("dispatch"))
        let ingest = parseIngest(root.section("ingest"))
        let windows = parseWindows(root.section("windows"))
        let retention = parseRetention(root.section("retention"))
        let reconcile = parseReconcile(root.section("reconcile"))
        let instance = parseInstance(root.section("instance"))
        let logSettings = parseLog(root.section("log"))
        let email = parseEmail(root)
        let orgs = OrganizationParser(log: log).parse(root.tableArray("orgs"))
        root.reportUnknownKeys()

        if let problem = ConfigurationError.combining(log.problems) { return .failure(problem) }
        guard let carrier else {
            // Unreachable: a nil carrier always logged its reason. Kept as an error, not a trap,
            // because a daemon must never crash on its configuration.
            return .failure(.missingKey(key: "carrier"))
        }
        return .success(HeraldConfiguration(
            database: database, admin: admin, webhooks: webhooks, metrics: metrics, carrier: carrier, retry: retry,
            rates: rates, dispatch: dispatch, ingest: ingest, windows: windows, retention: retention, instance: instance,
            reconcile: reconcile,
            log: logSettings, email: email, orgs: orgs
        ))
    }

    private func parseDatabase(_ r: TOMLReader) -> HeraldConfiguration.Database {
        let defaults = HeraldConfiguration.Database()
        defer { r.reportUnknownKeys() }
        r.refuse("password", because: """
            the database password is never accepted in the configuration file (it is world-readable and ends up \
            in backups); put it in a file named by database.password_file or in the systemd credential named \
            by database.password_credential
            """)
        let backend = r.choice("backend", default: defaults.backend)
        let path = r.path("path", default: defaults.path, resolution: resolution) ?? defaults.path
        let serverKeys = ["url", "password_file", "password_credential"]
        guard backend == .postgresql else {
            for key in serverKeys where r.contains(key) {
                r.badValue(key, """
                    is for backend = "postgresql", but database.backend is "\(backend?.rawValue ?? "sqlite")": \
                    set backend = "postgresql" or remove \(key)
                    """)
            }
            return .init(path: path)
        }
        return .init(path: path, backend: .postgresql, postgresql: parsePostgreSQL(r))
    }

    /// `url` is required; the password, if the server wants one, comes from exactly one of
    /// `password_file` and `password_credential`.
    private func parsePostgreSQL(_ r: TOMLReader) -> HeraldConfiguration.PostgreSQLServer? {
        guard let url = r.requiredString("url") else { return nil }
        var server: HeraldConfiguration.PostgreSQLServer
        switch PostgreSQLURL.parse(url) {
        case .success(let parsed): server = parsed
        case .failure(let problem):
            r.badValue("url", problem.describe(url))
            return nil
        }
        let file = r.string("password_file", default: "")
        let credential = r.string("password_credential", default: "")
        guard let file, let credential else { return nil }
        switch (file.isEmpty, credential.isEmpty) {
        case (true, true):
            server.passwordSource = nil
        case (false, false):
            r.badValue("password_file", """
                both password_file and password_credential (\(String(reflecting: credential))) are set; set exactly one
                """)
            return nil
        case (false, true):
            guard let path = r.resolvedPath("password_file", file, resolution: resolution) else { return nil }
            server.passwordSource = .file(path: path)
        case (true, false):
            guard !credential.contains("/"), credential != ".", credential != ".." else {
                r.badValue("password_credential", "\(String(reflecting: credential)) is not a credential name (a file name in $CREDENTIALS_DIRECTORY, without \"/\")")
                return nil
            }
            server.passwordSource = .credential(name: credential)
        }
        return server
    }

    private func parseAdmin(_ r: TOMLReader) -> HeraldConfiguration.Admin {
        let defaults = HeraldConfiguration.Admin()
        defer { r.reportUnknownKeys() }
        guard let socket = r.path("socket", default: defaults.socket, resolution: resolution) else { return defaults }
        // sun_path holds 108 bytes with the terminating NUL; bind() would fail much later and less clearly.
        if socket.utf8.count > 107 {
            r.badValue("socket", "\(String(reflecting: socket)) is \(socket.utf8.count) bytes long; a Unix socket path holds at most 107")
        }
        return .init(
            socket: socket, adminGroup: r.string("admin_group", default: defaults.adminGroup) ?? defaults.adminGroup,
            maxConnections: r.positiveInteger("max_connections", default: defaults.maxConnections) ?? defaults.maxConnections,
            idleTimeout: r.positiveNumber("idle_timeout", default: defaults.idleTimeout) ?? defaults.idleTimeout
        )
    }

    private func parseWebhooks(_ r: TOMLReader) -> HeraldConfiguration.Webhooks {
        let defaults = HeraldConfiguration.Webhooks()
        defer { r.reportUnknownKeys() }
        var result = defaults
        if let listen = r.string("listen", default: "\(defaults.listenHost):\(defaults.listenPort)") {
            switch ListenAddress.parse(listen) {
            case .success(let address):
                result.listenHost = address.host
                result.listenPort = address.port
            case .failure(let problem):
                r.badValue("listen", problem.describe(listen))
            }
        }
        if let url = r.baseURL("public_url", default: defaults.publicURL) { result.publicURL = url }
        return result
    }

    private func parseMetrics(_ r: TOMLReader) -> HeraldConfiguration.Metrics {
        let defaults = HeraldConfiguration.Metrics()
        defer { r.reportUnknownKeys() }
        guard let listen = r.string("listen", default: "\(defaults.listenHost ?? ""):\(defaults.listenPort)") else { return defaults }
        if listen.isEmpty { return .init(listenHost: nil, listenPort: 0) }
        switch ListenAddress.parse(listen) {
        case .success(let address): return .init(listenHost: address.host, listenPort: address.port)
        case .failure(let problem):
            r.badValue("listen", problem.describe(listen) + "; an empty string turns the metrics endpoint off")
            return defaults
        }
    }

    private func parseCarrier(_ r: TOMLReader) -> HeraldConfiguration.Carrier? {
        defer { r.reportUnknownKeys() }
        r.refuse("auth_token", because: """
            the auth token is never accepted in the configuration file (it is world-readable and ends up \
            in backups); put it in a file named by carrier.auth_token_file or in the systemd credential \
            named by carrier.auth_token_credential
            """)
        let defaults = HeraldConfiguration.Carrier(accountSID: "", tokenSource: .credential(name: Self.defaultCredential))
        let baseURL = r.baseURL("base_url", default: defaults.baseURL)
        let accountSID = r.requiredString("account_sid")
        let tokenSource = parseTokenSource(r)
        let connectTimeout = r.positiveNumber("connect_timeout", default: defaults.connectTimeout)
        let requestTimeout = r.positiveNumber("request_timeout", default: defaults.requestTimeout)
        let maxInFlight = r.positiveInteger("max_in_flight", default: defaults.maxInFlight)
        let segmentation = r.choice("segmentation", default: defaults.segmentation)
        let unknownOutcome = r.choice("unknown_outcome", default: defaults.unknownOutcome)
        let lookupDelay = r.positiveNumber("lookup_delay", default: defaults.lookupDelay)
        guard let accountSID, let tokenSource else { return nil }
        return .init(
            baseURL: baseURL ?? defaults.baseURL, accountSID: accountSID, tokenSource: tokenSource,
            connectTimeout: connectTimeout ?? defaults.connectTimeout,
            requestTimeout: requestTimeout ?? defaults.requestTimeout,
            maxInFlight: maxInFlight ?? defaults.maxInFlight,
            segmentation: segmentation ?? defaults.segmentation,
            unknownOutcome: unknownOutcome ?? defaults.unknownOutcome,
            lookupDelay: lookupDelay ?? defaults.lookupDelay
        )
    }

    /// Exactly one source: a token file wins over the *default* credential name, but naming both
    /// explicitly is refused, since the operator would not know which one the daemon used.
    private func parseTokenSource(_ r: TOMLReader) -> HeraldConfiguration.TokenSource? {
        let file = r.contains("auth_token_file") ? r.string("auth_token_file") : ""
        let credential = r.contains("auth_token_credential") ? r.string("auth_token_credential") : nil
        guard let file else { return nil }
        if !file.isEmpty {
            if let credential, !credential.isEmpty {
                r.badValue("auth_token_file", """
                    both auth_token_file and auth_token_credential (\(String(reflecting: credential))) are set; \
                    set exactly one and make the other "" or remove it
                    """)
                return nil
            }
            return r.resolvedPath("auth_token_file", file, resolution: resolution).map { .file(path: $0) }
        }
        if r.contains("auth_token_credential"), credential == nil { return nil }
        let name = credential ?? Self.defaultCredential
        guard !name.isEmpty else {
            r.badValue("auth_token_credential", """
                is empty and auth_token_file is not set; the carrier token must come from one of them
                """)
            return nil
        }
        guard !name.contains("/"), name != ".", name != ".." else {
            r.badValue("auth_token_credential", "\(String(reflecting: name)) is not a credential name (a file name in $CREDENTIALS_DIRECTORY, without \"/\")")
            return nil
        }
        return .credential(name: name)
    }

    private func parseRetry(_ r: TOMLReader) -> HeraldConfiguration.Retry {
        let defaults = HeraldConfiguration.Retry()
        defer { r.reportUnknownKeys() }
        let minBackoff = r.positiveNumber("min_backoff", default: defaults.minBackoff)
        let maxBackoff = r.positiveNumber("max_backoff", default: defaults.maxBackoff)
        let maxAttempts = r.positiveInteger("max_attempts", default: defaults.maxAttempts)
        var jitter = r.number("jitter", default: defaults.jitter)
        if let value = jitter, !(0...1).contains(value) {
            r.badValue("jitter", "must be between 0 and 1, found \(TOMLReader.format(value))")
            jitter = nil
        }
        if let minBackoff, let maxBackoff, minBackoff > maxBackoff {
            r.badValue("min_backoff", "\(TOMLReader.format(minBackoff)) is greater than \(r.keyPath("max_backoff")) \(TOMLReader.format(maxBackoff))")
        }
        return .init(
            minBackoff: minBackoff ?? defaults.minBackoff, maxBackoff: maxBackoff ?? defaults.maxBackoff,
            maxAttempts: maxAttempts ?? defaults.maxAttempts, jitter: jitter ?? defaults.jitter
        )
    }

    private func parseRates(_ r: TOMLReader) -> HeraldConfiguration.Rates {
        let defaults = HeraldConfiguration.Rates()
        defer { r.reportUnknownKeys() }
        return .init(
            longCode: r.positiveNumber("long_code", default: defaults.longCode) ?? defaults.longCode,
            tollFree: r.positiveNumber("toll_free", default: defaults.tollFree) ?? defaults.tollFree,
            shortCode: r.positiveNumber("short_code", default: defaults.shortCode) ?? defaults.shortCode
        )
    }

    private func parseDispatch(_ r: TOMLReader) -> HeraldConfiguration.Dispatch {
        let defaults = HeraldConfiguration.Dispatch()
        defer { r.reportUnknownKeys() }
        return .init(
            batchSize: r.positiveInteger("batch_size", default: defaults.batchSize) ?? defaults.batchSize,
            idleWait: r.positiveNumber("idle_wait", default: defaults.idleWait) ?? defaults.idleWait,
            // 0 is a legitimate choice: abandon in-flight posts at once and let recovery re-post them.
            shutdownGrace: r.nonNegativeNumber("shutdown_grace", default: defaults.shutdownGrace) ?? defaults.shutdownGrace
        )
    }

    private func parseIngest(_ r: TOMLReader) -> HeraldConfiguration.Ingest {
        let defaults = HeraldConfiguration.Ingest()
        defer { r.reportUnknownKeys() }
        return .init(batchSize: r.positiveInteger("batch_size", default: defaults.batchSize) ?? defaults.batchSize)
    }

    /// An absent or empty `rules_file` means the table built into heraldd (the shipped
    /// quiet-hours.toml); a file replaces it and is checked here, key by key.
    private func parseWindows(_ r: TOMLReader) -> HeraldConfiguration.Windows {
        defer { r.reportUnknownKeys() }
        guard let written = r.string("rules_file", default: ""), !written.isEmpty,
              let path = r.resolvedPath("rules_file", written, resolution: resolution) else {
            return HeraldConfiguration.Windows()
        }
        do {
            return .init(rulesFile: path, rules: try QuietHoursFile.load(path: path))
        } catch {
            for problem in error.problems { r.badValue("rules_file", "\(path): \(problem)") }
            return HeraldConfiguration.Windows()
        }
    }

    private func parseRetention(_ r: TOMLReader) -> HeraldConfiguration.Retention {
        let defaults = HeraldConfiguration.Retention()
        defer { r.reportUnknownKeys() }
        return .init(days: r.positiveInteger("days", default: defaults.days) ?? defaults.days)
    }

    private func parseInstance(_ r: TOMLReader) -> HeraldConfiguration.Instance {
        let defaults = HeraldConfiguration.Instance()
        defer { r.reportUnknownKeys() }
        let id = r.string("id")
        if let id, !HeraldConfiguration.Instance.isValidID(id) {
            r.badValue("id", "\(String(reflecting: id)) is not an instance id: use 1 to 64 letters, digits, '.', '_' or '-'")
        }
        let leaseTime = r.positiveNumber("lease_time", default: defaults.leaseTime) ?? defaults.leaseTime
        if leaseTime < 1 {
            r.badValue("lease_time", "\(TOMLReader.format(leaseTime)) is under 1 second: heartbeats would expire between two turns")
        }
        return .init(id: id.flatMap { HeraldConfiguration.Instance.isValidID($0) ? $0 : nil }, leaseTime: leaseTime)
    }

    private func parseReconcile(_ r: TOMLReader) -> HeraldConfiguration.Reconcile {
        let defaults = HeraldConfiguration.Reconcile()
        defer { r.reportUnknownKeys() }
        let after = r.positiveNumber("after", default: defaults.after)
        let giveUpAfter = r.positiveNumber("give_up_after", default: defaults.giveUpAfter)
        if let after, let giveUpAfter, giveUpAfter < after {
            r.badValue("give_up_after", "\(TOMLReader.format(giveUpAfter)) is less than \(r.keyPath("after")) \(TOMLReader.format(after)): no text would ever be looked up")
        }
        return .init(
            after: after ?? defaults.after, giveUpAfter: giveUpAfter ?? defaults.giveUpAfter,
            rate: r.positiveNumber("rate", default: defaults.rate) ?? defaults.rate,
            inFlight: r.positiveInteger("in_flight", default: defaults.inFlight) ?? defaults.inFlight
        )
    }

    private func parseLog(_ r: TOMLReader) -> HeraldConfiguration.Log {
        let defaults = HeraldConfiguration.Log()
        defer { r.reportUnknownKeys() }
        return .init(level: r.choice("level", default: defaults.level) ?? defaults.level)
    }
}
