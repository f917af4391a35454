import Foundation
import HeraldCarrier
import HeraldConfig
import HeraldControl
import HeraldCore
import HeraldStore
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// heraldd: the queue database, the carrier client and the services that connect them, run by a
/// `ServiceGroup`. Started in the foreground by systemd (Type=notify) or in-process by tests.
public final class Daemon: Sendable {
    /// The queue, through the protocols the services need (docs/queue-store.md).
    public let database: any QueueStore
    /// The same queue when it is PostgreSQL: a connection pool to drive, and leases to take.
    private let sharedQueue: PostgresQueue?
    public let configuration: HeraldConfiguration
    private let carrier: any CarrierClient
    private let ownsCarrier: TwilioCarrierClient?
    private let clock: any WallClock
    private let logger: Logger
    /// Messages through each event since start: rollups, the STATUS= send rate, the admin socket.
    public let activity = ActivityCounters()
    /// What `GET /metrics` shows (docs/metrics.md).
    public let metrics: HeraldMetrics
    private let metricsEndpoint = BoundPort()
    /// `http://HOST:PORT/metrics` once the metrics listener is bound; nil before, or when it is off.
    public var metricsURL: String? {
        guard let host = configuration.metrics.listenHost, let port = metricsEndpoint.port else { return nil }
        return "http://\(WebhookEndpoint.dialable(host)):\(port)/metrics"
    }
    private let webhookEndpoint: WebhookEndpoint
    /// The base URL the carrier is told to call back; with `listen = "HOST:0"` the bound address,
    /// nil until the listener is bound (when `run` calls `onReady`, it is).
    public var webhookURL: String? { webhookEndpoint.url }

    /// - Parameter carrier: a twin for tests; by default the libcurl client of the configuration.
    public init(
        configuration: HeraldConfiguration, authToken: String, carrier: (any CarrierClient)? = nil,
        clock: any WallClock = SystemWallClock(), logger: Logger
    ) throws {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        let metrics = HeraldMetrics(version: HeraldVersion.current)
        self.metrics = metrics
        switch (configuration.database.backend, configuration.database.postgresql) {
        case let (.postgresql, server?):
            let queue = PostgresQueue(
                endpoint: PostgresEndpoint(server, password: try server.resolvePassword()),
                instance: InstanceIdentity(
                    id: configuration.instance.resolvedID, host: HeraldConfiguration.Instance(id: nil).resolvedID, pid: getpid(),
                    version: HeraldVersion.current, startedAt: clock.now()
                ),
                reconcile: configuration.reconcile.schedule, logger: logger, writeTimer: { metrics.writeTransaction($0) }
            )
            database = queue
            sharedQueue = queue
        default:
            database = try QueueDatabase(
                path: configuration.database.path, reconcile: configuration.reconcile.schedule,
                writeTimer: { metrics.writeTransaction($0) }
            )
            sharedQueue = nil
        }
        if let carrier {
            self.carrier = carrier
            ownsCarrier = nil
        } else {
            let client = try TwilioCarrierClient(configuration: .init(
                baseURL: configuration.carrier.baseURL, accountSID: configuration.carrier.accountSID, authToken: authToken,
                maxInFlight: configuration.carrier.maxInFlight,
                connectTimeout: .milliseconds(Int64(configuration.carrier.connectTimeout * 1000)),
                totalTimeout: .milliseconds(Int64(configuration.carrier.requestTimeout * 1000))
            ))
            self.carrier = client
            ownsCarrier = client
        }
        signature = WebhookSignature(authToken: authToken)
        mailer = try configuration.email.map { email in
            SMTPMailer(settings: SMTPSettings(
                host: email.host, port: email.port, security: email.tls.security,
                username: email.username.isEmpty ? nil : email.username, password: try email.resolvePassword(),
                caFile: email.caFile,
                connectTimeout: .milliseconds(Int64(email.connectTimeout * 1000)),
                timeout: .milliseconds(Int64(email.timeout * 1000))
            ))
        }
        let endpoint = WebhookEndpoint(configuration.webhooks)
        webhookEndpoint = endpoint
        let webhooks: @Sendable () -> NumberWebhooks = {
            NumberWebhooks(smsURL: endpoint.current + WebhookRoutes.inboundPath, statusCallback: endpoint.current + WebhookRoutes.statusPath)
        }
        // A bad carrier configuration already stopped start-up above unless a test brought its own
        // carrier; then only the numbers commands say what is wrong.
        do {
            let client = try TwilioNumbersClient(
                baseURL: configuration.carrier.baseURL, accountSID: configuration.carrier.accountSID, authToken: authToken,
                connectTimeout: .milliseconds(Int64(configuration.carrier.connectTimeout * 1000)),
                totalTimeout: .milliseconds(Int64(configuration.carrier.requestTimeout * 1000))
            )
            numbers = NumbersSettings(client: client, webhooks: webhooks())
            ownsNumbers = client
        } catch {
            numbers = NumbersSettings(unavailable: error.description, webhooks: webhooks())
            ownsNumbers = nil
        }
    }

    private let numbers: NumbersSettings
    private let ownsNumbers: TwilioNumbersClient?

    private let signature: WebhookSignature
    /// Forwards replies by email; nil without an `[email]` section.
    private let mailer: SMTPMailer?
    /// The group `run` is running, so `stop` can shut it down gracefully.
    private let running = Mutex<(group: ServiceGroup?, stopRequested: Bool)>((nil, false))

    /// Shuts a running daemon down as SIGTERM would: listeners close after serving what they
    /// accepted, in-flight posts get the grace period. Cancelling `run`'s task instead can drop a
    /// connection NIO accepted but nobody served yet, which NIO treats as a programming error.
    public func stop() async {
        let group = running.withLock { state -> ServiceGroup? in
            state.stopRequested = true
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }

    /// The organizations of a configuration as the store keeps them.
    static func organizationRecords(_ configuration: HeraldConfiguration) -> [OrganizationRecord] {
        configuration.orgs.map { org in
            OrganizationRecord(
                id: org.id, name: org.name, timeZone: org.timeZone.identifier,
                windowStart: org.windowStart.description, windowEnd: org.windowEnd.description,
                windowDays: org.days.isEmpty ? nil : org.days.sorted().map(\.rawValue),
                smartEncoding: org.smartEncoding, consentTexts: org.consentTexts,
                senders: org.users.map {
                    SenderRecord(userID: $0.id, name: $0.name, number: $0.number, numberType: $0.numberType.rawValue,
                                 rate: $0.effectiveRate(configuration.rates), autoReply: $0.autoReply, cellPhone: $0.cellPhone,
                                 signature: $0.signature, email: $0.email, forwardReplies: $0.forwardReplies)
                }
            )
        }
    }

    /// `GET /metrics` on `[metrics] listen`, or nil when that is empty. A scrape reads the queue's
    /// gauges then; a store that cannot answer gets 503 and one condition in the log.
    private func metricsApplication(readiness: ReadinessGate) -> (any Service)? {
        guard let host = configuration.metrics.listenHost else { return nil }
        let router = Router()
        let failures = ConditionLog("metrics", what: "cannot read the queue for a metrics scrape; answering 503")
        router.get("/metrics") { [metrics, database, clock, logger] _, _ -> Response in
            do {
                let body = try await metrics.scrape(database, now: clock.now())
                failures.succeeded(logger: logger)
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(bytes: body)))
            } catch {
                failures.failed("\(error)", logger: logger)
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "cannot read the queue: \(error)\n")))
            }
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: configuration.metrics.listenPort), serverName: "heraldd"),
            onServerRunning: { [logger, metricsEndpoint] channel in
                metricsEndpoint.port = channel.localAddress?.port
                logger.info("metrics listening on \(channel.localAddress.map { "\($0)" } ?? "?")")
                await readiness.bound("metrics")
            },
            logger: logger
        )
    }

    /// Users who asked for replies by email (in the file or set since) while `[email]` is absent:
    /// their replies are stored but not mailed, which the operator should hear about.
    private func warnAboutForwardingRequests() async throws {
        let users = try await database.usersForwardingReplies()
        guard !users.isEmpty else { return }
        logger.warning("""
            \(users.joined(separator: ", ")) asked for replies by email, but the configuration has no [email] section; \
            their replies are stored and not forwarded until one is added
            """)
    }

    /// Runs until a signal in `gracefulShutdownSignals` arrives or the task is cancelled.
    /// - Parameter onReady: called once the database is migrated and the webhook listener is bound.
    /// - Parameter reloadConfiguration: re-reads the configuration on SIGHUP; nil leaves SIGHUP alone.
    public func run(
        gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
        reloadConfiguration: (@Sendable () throws -> HeraldConfiguration)? = nil,
        onReady: @escaping @Sendable () async -> Void = {}
    ) async throws {
        guard let sharedQueue else {
            return try await serve(gracefulShutdownSignals: gracefulShutdownSignals, reloadConfiguration: reloadConfiguration, onReady: onReady)
        }
        // The pool runs beside the services and stops after the last of them.
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await sharedQueue.run() }
            defer { tasks.cancelAll() }
            await sharedQueue.untilRunning()
            try await sharedQueue.migrate()
            try await serve(gracefulShutdownSignals: gracefulShutdownSignals, reloadConfiguration: reloadConfiguration, onReady: onReady)
        }
    }

    private func serve(
        gracefulShutdownSignals: [UnixSignal], reloadConfiguration: (@Sendable () throws -> HeraldConfiguration)?,
        onReady: @escaping @Sendable () async -> Void
    ) async throws {
        try await database.upsert(organizations: Self.organizationRecords(configuration), now: clock.now())
        let directory = try await SharedDirectory(windows: WindowCalculator(rules: configuration.windows.rules)) { [database] in
            try await database.loadDirectory()
        }
        // Alone on its queue, this instance does all the shared work; sharing it, only while it holds its lease.
        let sharedWork = SharedWork(held: sharedQueue == nil)
        let policy = DispatchPolicy(directory: directory, metrics: metrics)
        // Transitions are counted from here on: those this run sees.
        metrics.startCounting(afterEvent: try await database.feedPosition().event)
        let dispatch = DispatchService(
            database: database, carrier: carrier, policy: policy,
            settings: .init(
                batchSize: configuration.dispatch.batchSize,
                maxInFlight: configuration.carrier.maxInFlight,
                idleWait: .milliseconds(Int64(configuration.dispatch.idleWait * 1000)),
                shutdownGrace: .milliseconds(Int64(configuration.dispatch.shutdownGrace * 1000)),
                retryPolicy: configuration.retry.retryPolicy,
                statusCallbackBase: { [webhookEndpoint] in webhookEndpoint.current + WebhookRoutes.statusPath },
                segmentation: configuration.carrier.segmentation == .client ? .client : .carrier,
                unknownOutcome: configuration.carrier.unknownOutcomePolicy
            ),
            clock: clock, logger: logger, activity: activity, metrics: metrics,
            abortTransfers: { [ownsCarrier] in ownsCarrier?.shutdown() }
        )
        let ingest = IngestService(
            database: database, directory: directory, batchSize: configuration.ingest.batchSize,
            clock: clock, logger: logger, activity: activity, metrics: metrics, onQueued: { dispatch.wakeups.ring() }
        )
        // Ready once every listener is bound, the metrics one included: its URL is known then.
        let readiness = ReadinessGate(
            listeners: Set(["webhooks", "admin"] + (configuration.metrics.listenHost == nil ? [] : ["metrics"])), onReady: onReady
        )
        let retention = RetentionService(
            database: database, settings: .init(days: configuration.retention.days), clock: clock, logger: logger
        )
        var forwarding: ReplyForwardingService?
        if let mailer, let email = configuration.email {
            forwarding = ReplyForwardingService(
                database: database, mailer: mailer,
                settings: .init(from: email.from, fromName: email.fromName, retryPolicy: email.retryPolicy),
                clock: clock, logger: logger, metrics: metrics
            )
        } else {
            try await warnAboutForwardingRequests()
        }
        let wakeForwarder: (@Sendable () -> Void)? = forwarding.map { service in { @Sendable in service.wakeups.ring() } }
        let router = Router()
        WebhookRoutes(
            database: database, signature: signature, publicURL: { [webhookEndpoint] in webhookEndpoint.current }, clock: clock,
            logger: logger, activity: activity, metrics: metrics,
            directory: { directory.current }, wake: { dispatch.wakeups.ring() },
            forwarding: wakeForwarder
        ).register(on: router)
        let webhooks = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.webhooks.listenHost, port: configuration.webhooks.listenPort),
                                 serverName: "heraldd"),
            onServerRunning: { [logger, webhookEndpoint] channel in
                webhookEndpoint.bound(port: channel.localAddress?.port ?? 0)
                logger.info("webhooks listening on \(channel.localAddress.map { "\($0)" } ?? "?")")
                await readiness.bound("webhooks")
            },
            logger: logger
        )
        let admin = AdminService(
            settings: .init(
                path: configuration.admin.socket, maxConnections: configuration.admin.maxConnections,
                idleTimeout: .milliseconds(Int64(configuration.admin.idleTimeout * 1000)),
                adminGroup: configuration.admin.adminGroup.isEmpty ? nil : configuration.admin.adminGroup
            ),
            controller: AdminController(
                database: database, directory: directory, clock: clock, logger: logger, startedAt: clock.now(),
                sendRate: { [activity] in activity.sendRate() }, wake: { dispatch.wakeups.ring() },
                numbers: numbers, instances: sharedQueue.map { ($0, configuration.instance.resolvedID) }
            ),
            logger: logger, metrics: metrics,
            onBound: { await readiness.bound("admin") }
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: webhooks),
            .init(service: admin),
        ]
        if let endpoint = metricsApplication(readiness: readiness) { services.append(.init(service: endpoint)) }
        if let sharedQueue {
            // Before the dispatcher, so stopped after it: leases are handed back once its last posts are answered.
            services.append(.init(service: LeaseService(
                leases: sharedQueue, instance: configuration.instance.resolvedID,
                settings: .init(leaseTime: configuration.instance.leaseTime, unknownOutcome: configuration.carrier.unknownOutcomePolicy),
                sharedWork: sharedWork, policy: policy, wake: { dispatch.wakeups.ring() }, clock: clock, logger: logger
            )))
        }
        // Alone on its queue an instance always does the shared work: no gate to poll.
        func forAll(_ service: some Service) -> ServiceGroupConfiguration.ServiceConfiguration {
            sharedQueue == nil ? .init(service: service) : .init(service: WhileHoldingSharedWork(sharedWork: sharedWork, service: service))
        }
        services += [
            .init(service: ingest),
            .init(service: WaitsForWebhookEndpoint(endpoint: webhookEndpoint, service: dispatch)),
            // After the dispatcher, so stopped before it: the dispatcher may end the carrier's transfers.
            forAll(ReconcileService(
                database: database, carrier: carrier,
                settings: .init(rate: configuration.reconcile.rate, inFlight: configuration.reconcile.inFlight,
                                idleWait: .milliseconds(Int64(min(configuration.reconcile.after, 30) * 1000))),
                clock: clock, logger: logger, activity: activity, metrics: metrics
            )),
            forAll(retention),
        ]
        // After the dispatcher, so stopped before it: a mail in progress is abandoned, never a text.
        if let forwarding { services.append(forAll(forwarding)) }
        services.append(forAll(ConsentExpiryService(database: database, clock: clock, logger: logger, activity: activity)))
        if let reloadConfiguration {
            services.append(.init(service: ReloadService(
                database: database, directory: directory, running: configuration, load: reloadConfiguration,
                clock: clock, logger: logger
            )))
        }
        // Last, so the first told to stop: STOPPING=1 goes out as soon as SIGTERM arrives.
        services.append(.init(service: StatusReporter(database: database, activity: activity, logger: logger)))
        // Started in this order and stopped in reverse: the dispatcher drains first while the
        // webhook listener still takes the callbacks of its last posts.
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: gracefulShutdownSignals,
            logger: logger
        ))
        defer {
            ownsCarrier?.shutdown()
            ownsNumbers?.shutdown()
        }
        let stopRequested = running.withLock { state -> Bool in
            state.group = group
            return state.stopRequested
        }
        if stopRequested { return }
        try await group.run()
    }
}

/// The port a listener got, known once it is bound.
private final class BoundPort: Sendable {
    private let value = Mutex<Int?>(nil)

    var port: Int? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
