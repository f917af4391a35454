import Foundation
import HeraldCarrier
import HeraldConfig
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle

/// Mails stored replies to the users who asked for them (`reply_forward`), one at a time.
///
/// Apart from delivery on purpose: the SMTP conversation runs on a thread of its own and this
/// loop touches the database only for a small read and a one-row update, so an SMTP server that
/// hangs or refuses delays forwards and nothing else. Failures back off along the configured
/// curve (HeraldCore's `RetryPolicy`) until `max_attempts`, then the forward is `failed` with
/// the server's last answer.
final class ReplyForwardingService: Service {
    struct Settings: Sendable {
        var from: String
        var fromName: String
        var retryPolicy: RetryPolicy
        var batchSize = 16
        /// The longest sleep with nothing due: a forward queued by another path is picked up anyway.
        var idleWait: Duration = .seconds(30)
    }

    /// Rung when a stored reply queued a forward.
    let wakeups = Doorbell()
    private let database: any ReplyForwardQueue
    private let mailer: SMTPMailer
    private let settings: Settings
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: HeraldMetrics
    /// A mail server that is down fails every forward until it is back: one condition, not a
    /// warning per forward and attempt (those stay at debug, as `reply_forward_retried`).
    private let smtp = ConditionLog("smtp", what: "cannot forward replies by email; they are tried again later", level: .warning)
    private let store = ConditionLog("reply_forward_store", what: "reply forwarding cannot read or record forwards, will try again")

    init(database: any ReplyForwardQueue, mailer: SMTPMailer, settings: Settings, clock: any WallClock, logger: Logger,
         metrics: HeraldMetrics) {
        self.metrics = metrics
        self.database = database
        self.mailer = mailer
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let wait: Duration
                do {
                    wait = try await forwardDue()
                    store.succeeded(logger: logger)
                } catch {
                    store.failed("\(error)", logger: logger)
                    wait = settings.idleWait
                }
                await wakeups.wait(upTo: wait)
            }
        } onGracefulShutdown: {
            self.wakeups.ring()
        }
    }

    /// Sends what is due now; returns how long to sleep before the next one is due.
    private func forwardDue() async throws -> Duration {
        let due = try await database.dueForwards(now: clock.now(), limit: settings.batchSize)
        for forward in due {
            if Task.isShuttingDownGracefully || Task.isCancelled { return .zero }
            try await send(forward)
        }
        if due.count == settings.batchSize { return .zero }
        guard let next = try await database.nextForwardDue() else { return settings.idleWait }
        let seconds = max(0, next.timeIntervalSince(clock.now()))
        return min(settings.idleWait, .milliseconds(Int64((seconds * 1000).rounded(.up))))
    }

    private func send(_ forward: ReplyForward) async throws {
        let message = MailMessage(
            from: settings.from, fromName: settings.fromName, to: forward.toAddress, subject: forward.subject,
            body: forward.body, messageID: Self.messageID(forward, from: settings.from), date: clock.now()
        )
        let attempts = forward.attempts + 1
        let metadata: Logger.Metadata = [
            "forward_id": "\(forward.id)", "inbound_id": "\(forward.inboundID)", "user": "\(forward.userID)",
            "to": "\(forward.toAddress)", "attempts": "\(attempts)",
        ]
        do {
            // Shutdown cancels the conversation, which the mailer turns into `.aborted`.
            try await cancelWhenGracefulShutdown { [mailer] in try await mailer.send(message) }
        } catch SMTPError.aborted {
            // Not an attempt: the mail is sent again after the restart (a duplicate at worst).
            return
        } catch {
            let reason = "\(error)"
            let now = clock.now()
            smtp.failed(reason, logger: logger)
            if attempts >= settings.retryPolicy.maxAttempts {
                try await database.forwardFailed(forward.id, attempts: attempts, error: reason, now: now)
                metrics.replyForward(outcome: "failed")
                logger.error("""
                    reply \(forward.inboundID) was not forwarded to \(forward.toAddress) after \(attempts) attempts \
                    (email.max_attempts); giving up: \(reason)
                    """, metadata: .event(.replyForwardFailed, org: forward.orgID, metadata))
            } else {
                let delay = settings.retryPolicy.delay(afterAttempts: attempts, random: Double.random(in: 0..<1))
                let retryAt = now + delay
                try await database.forwardRetry(forward.id, attempts: attempts, error: reason, retryAt: retryAt, now: now)
                metrics.replyForward(outcome: "retried")
                logger.debug("""
                    reply \(forward.inboundID) could not be forwarded to \(forward.toAddress) (attempt \(attempts) of \
                    \(settings.retryPolicy.maxAttempts)), next try at \(Timestamp.format(retryAt)): \(reason)
                    """, metadata: .event(.replyForwardRetried, org: forward.orgID, metadata))
            }
            return
        }
        try await database.forwardSent(forward.id, attempts: attempts, now: clock.now())
        metrics.replyForward(outcome: "sent")
        smtp.succeeded(logger: logger)
        logger.info("reply \(forward.inboundID) forwarded to \(forward.toAddress)",
                    metadata: .event(.replyForwarded, org: forward.orgID, metadata))
    }

    /// The same id on every attempt, so a mail delivered twice (sent, then the answer lost)
    /// reads as one message in the user's client.
    static func messageID(_ forward: ReplyForward, from: String) -> String {
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        return "herald.reply.\(forward.inboundID).\(forward.id)@\(domain)"
    }
}

extension HeraldConfiguration.TLSMode {
    var security: SMTPSettings.Security {
        switch self {
        case .none: .none
        case .starttls: .starttls
        case .tls: .tls
        }
    }
}
