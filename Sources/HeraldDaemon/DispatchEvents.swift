import Foundation
import HeraldCore
import HeraldStore
import Logging

/// What dispatch did to each message, logged at debug and counted for the rollups, once it is
/// committed: a line never claims a transition the database does not hold.
struct DispatchEvents: Sendable {
    let logger: Logger
    let activity: ActivityCounters
    /// The carrier unreachable or failing (connection errors, timeouts, 5xx, a refused account):
    /// one line when it starts, a reminder a minute while every POST fails, one when a POST goes through.
    let carrier = ConditionLog("carrier", what: "the carrier cannot be reached or fails; texts wait and are retried")

    /// POST results just written, in the dispatcher's claim transaction or at shutdown. Every one
    /// says something of the carrier's health; only those `applied` (that moved their message)
    /// are logged and counted as transitions.
    func recorded(_ records: [DispatchRecord], applied: [DispatchRecord]) {
        guard !records.isEmpty else { return }
        var tally = ActivityTally()
        let detailed = logger.logLevel <= .debug
        for record in applied {
            let event = Self.event(for: record)
            tally.add(1, event)
            if detailed { log(event, record) }
        }
        var reached = false
        var failures = 0
        var lastFailure = ""
        for record in records {
            switch Self.health(of: record.decision, httpStatus: record.httpStatus) {
            case .reached: reached = true
            case let .failing(detail):
                failures += 1
                lastFailure = detail
            case .unknown: break
            }
        }
        activity.add(tally)
        // A batch with one POST through says the carrier is there: its failures are ordinary retries.
        if reached {
            carrier.succeeded(logger: logger)
        } else if failures > 0 {
            carrier.failed(lastFailure, count: failures, logger: logger)
        }
    }

    enum CarrierHealth: Equatable {
        case reached
        case failing(String)
        /// Throttling or an expiry: says nothing about whether the carrier is there.
        case unknown
    }

    /// What one POST's result says about the carrier itself.
    static func health(of decision: OutcomeDecision, httpStatus status: Int?) -> CarrierHealth {
        switch decision {
        case .sent:
            return .reached
        case .expire:
            return .unknown
        case let .retry(_, _, detail), let .fail(_, detail):
            if status == 429 { return .unknown }
            // Any other 4xx is the carrier answering about this message; 401 and 403 refuse the account.
            if let status, (400..<500).contains(status), status != 401, status != 403 { return .reached }
            return .failing(detail)
        }
    }

    /// A due message the rules held back at claim time (a window closing on a backlog, a pause).
    func held(_ candidate: ClaimCandidate, until: Date, reason: HeldReason) {
        // Sender-rate deferrals are flow control, not holds; and a message held again for the same
        // reason (a paused org is looked at every minute) is no news.
        guard reason != .senderRate, reason != candidate.heldReason else { return }
        activity.add(1, .held)
        logger.debug(
            "message \(candidate.id) held until \(Timestamp.format(until)): \(reason.rawValue)",
            metadata: .event(.held, message: candidate.id, org: candidate.orgID,
                             [LogKey.reason: "\(reason.rawValue)", "not_before": "\(Timestamp.format(until))"])
        )
    }

    static func event(for record: DispatchRecord) -> HeraldEvent {
        switch record.decision {
        case .sent: .sent
        case .retry: record.httpStatus == 429 ? .throttled : .retried
        case let .fail(code, _): code == CarrierErrorCode.unsubscribed ? .optedOut : .failed
        case .expire: .expired
        }
    }

    private func log(_ event: HeraldEvent, _ record: DispatchRecord) {
        let message = record.message
        var more: Logger.Metadata = ["attempt": "\(message.attempts)"]
        if let status = record.httpStatus { more["http_status"] = "\(status)" }
        let text: String
        var sid: String?
        switch record.decision {
        case let .sent(carrierSid, _, _):
            sid = carrierSid
            text = "message \(message.id) sent as \(carrierSid)"
        case let .retry(notBefore, reason, detail):
            more[LogKey.reason] = "\(reason.rawValue)"
            more["not_before"] = "\(Timestamp.format(notBefore))"
            text = event == .throttled
                ? "message \(message.id) throttled by the carrier, next attempt \(Timestamp.format(notBefore))"
                : "message \(message.id) will be retried at \(Timestamp.format(notBefore)): \(detail)"
        case let .fail(code, detail):
            if let code { more["error_code"] = "\(code)" }
            text = event == .optedOut
                ? "message \(message.id) failed: the recipient opted out at the carrier (error \(CarrierErrorCode.unsubscribed))"
                : "message \(message.id) failed: \(detail)"
        case let .expire(detail):
            text = "message \(message.id) expired: \(detail)"
        }
        logger.debug("\(text)", metadata: .event(event, message: message.id, org: message.orgID, carrierSid: sid, more))
    }
}
