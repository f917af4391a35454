import HeraldCarrier
import Logging
import ServiceLifecycle

/// One accepted message whose delivery the simulator still has to play out.
struct DeliveryJob: Sendable {
    var sid: String
    var statusCallback: String?
    var deliveryError: DeliveryError?
    /// When the `sent` step is due: acceptance time plus the configured callback delay.
    var due: ContinuousClock.Instant
}

/// Plays out each accepted message's life — `sent`, then `delivered` or the injected failure —
/// and posts the signed status callbacks. It runs as a service beside the HTTP server, so every
/// callback is a child task of its task group and ends with the simulator, never a loose `Task`.
struct CallbackDispatcher: Service {
    private let jobs: AsyncStream<DeliveryJob>
    private let continuation: AsyncStream<DeliveryJob>.Continuation
    private let state: SimulatorState
    private let http: CurlMulti
    private let accountSID: String
    private let signature: WebhookSignature
    private let attempts: Int
    private let logger: Logger

    private static let firstRetryDelay: Duration = .milliseconds(100)

    init(configuration: SimulatorConfiguration, state: SimulatorState, http: CurlMulti, logger: Logger) {
        (jobs, continuation) = AsyncStream.makeStream(of: DeliveryJob.self, bufferingPolicy: .unbounded)
        self.state = state
        self.http = http
        self.accountSID = configuration.accountSID
        self.signature = WebhookSignature(authToken: configuration.authToken)
        self.attempts = max(1, configuration.callbackAttempts)
        self.logger = logger
    }

    func enqueue(_ job: DeliveryJob) {
        continuation.yield(job)
    }

    func run() async {
        await withDiscardingTaskGroup { group in
            for await job in jobs.cancelOnGracefulShutdown() {
                group.addTask { await play(job) }
            }
            // Shutting down: pending deliveries stop at their next sleep, and shutting the client
            // down fails transfers in flight at once instead of waiting out their timeouts.
            group.cancelAll()
            http.shutdown()
        }
        continuation.finish()
    }

    private func play(_ job: DeliveryJob) async {
        do {
            try await Task.sleep(until: job.due, clock: .continuous)
        } catch {
            return
        }
        guard let sent = state.updateStatus(sid: job.sid, to: "sent", errorCode: nil) else { return }
        if let url = job.statusCallback {
            await post(sent, to: url)
        }
        guard !Task.isCancelled else { return }
        let final = state.updateStatus(
            sid: job.sid,
            to: job.deliveryError?.status.rawValue ?? "delivered",
            errorCode: job.deliveryError?.code
        )
        if let final, let url = job.statusCallback {
            await post(final, to: url)
        }
    }

    private func post(_ message: AcceptedMessage, to url: String) async {
        if state.loseCallback() {
            logger.debug("status callback lost on purpose (lose_callbacks)", metadata: ["sid": "\(message.sid)", "status": "\(message.status)"])
            return
        }
        var fields: [(String, String)] = [
            ("MessageSid", message.sid),
            ("SmsSid", message.sid),
            ("AccountSid", accountSID),
            ("From", message.from),
            ("To", message.to),
            ("MessageStatus", message.status),
            ("SmsStatus", message.status),
            ("NumSegments", String(message.numSegments)),
            ("ApiVersion", MessagesAPI.apiVersion),
        ]
        if let code = message.errorCode {
            fields.append(("ErrorCode", String(code)))
        }
        let request = HTTPRequest(
            method: "POST",
            url: url,
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("X-Twilio-Signature", signature.sign(url: url, parameters: fields)),
                ("User-Agent", "herald-carrier-sim"),
            ],
            body: Array(FormEncoding.encode(fields).utf8)
        )

        var delay = Self.firstRetryDelay
        var lastProblem = ""
        for attempt in 1...attempts {
            switch await http.perform(request) {
            case let .response(status, _, _) where (200..<300).contains(status):
                state.recordCallback(delivered: true)
                return
            case let .response(status, _, _):
                lastProblem = "HTTP \(status)"
            case let .transportError(code, detail, _):
                lastProblem = "transport error \(code): \(detail)"
            }
            guard attempt < attempts else { break }
            do {
                try await Task.sleep(for: delay)
            } catch {
                return
            }
            delay *= 2
        }
        state.recordCallback(delivered: false)
        logger.warning(
            "status callback failed",
            metadata: [
                "sid": "\(message.sid)", "status": "\(message.status)", "url": "\(url)",
                "attempts": "\(attempts)", "error": "\(lastProblem)",
            ]
        )
    }
}

extension CallbackDispatcher: CustomStringConvertible {
    /// Short, and free of the signing key, for the service group's logs.
    var description: String { "CallbackDispatcher(account: \(accountSID), attempts: \(attempts))" }
}
