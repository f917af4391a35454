import Foundation
import HeraldCore
import PostgresNIO

extension PostgresQueue {
    /// Applies a carrier's status report through Core's forward-only rule (`StatusCallbackRule`).
    public func apply(_ report: StatusReport, now: Date) async throws -> StatusEffect {
        try await write { [reconcile] session in
            try await Self.apply(report, reason: .statusCallback,
                                 transitions: PostgresTransitions(session, now: now, reconcileAfter: reconcile.after))
        }
    }

    /// A report, by callback or by lookup (`reason`), applied inside the caller's transaction. The
    /// message row is locked first: a callback arriving at another instance waits for this one.
    static func apply(_ report: StatusReport, reason: EventReason, transitions: PostgresTransitions) async throws -> StatusEffect {
        let session = transitions.session
        if let part = try await PostgresMessageParts.locate(report, in: session) {
            return try await PostgresMessageParts.apply(report, messageID: part.messageID, part: part.part, of: part.total, reason: reason,
                                                        transitions: transitions)
        }
        guard let row = try await message(reportedBy: report, in: session) else { return .unknownMessage }
        let (id, stateText, attempts, org, to, user, segments, _) = try row.decode((Int64, String, Int, String?, String?, String?, Int?, String?).self)
        let state = MessageState(rawValue: stateText) ?? .queued
        guard let reported = StatusCallbackRule.state(ofCarrierStatus: report.status) else {
            return .ignored(id: id, state: state, why: "carrier status \(report.status) is not a transition")
        }
        switch StatusCallbackRule.decide(current: state, posted: attempts > 0, reported: reported) {
        case let .ignore(why):
            return .ignored(id: id, state: state, why: why)
        case let .move(target, confirmsPost):
            try await transitions.applyReport(id, from: state, to: target, CarrierReport(
                sid: report.sid, carrierStatus: report.status, segments: report.segments, errorCode: report.errorCode, reason: reason
            ))
            if report.errorCode == CarrierErrorCode.unsubscribed, let org, let to {
                try await PostgresConsentLedger.recordCarrierOptOut(org: org, number: to, messageID: id, transitions: transitions)
            }
            if confirmsPost, let org, let user {
                try await PostgresUsage.add(org: org, user: user, segments: report.segments ?? segments ?? 1, at: transitions.at, in: session)
            }
            return .moved(id: id, from: state, to: target)
        }
    }

    /// The message a report is about: by the id in the callback URL (unless the message already
    /// has another sid), else by the sid.
    private static func message(reportedBy report: StatusReport, in session: PostgresSession) async throws -> PostgresRow? {
        if let id = report.messageID, let row = try await session.rows("""
            SELECT id, state, attempts, org_id, to_number, user_id, segments, carrier_sid FROM message WHERE id = \(id) FOR UPDATE
            """).first, try (row.decode((Int64, String, Int, String?, String?, String?, Int?, String?).self).7).map({ $0 == report.sid }) ?? true {
            return row
        }
        return try await session.rows("""
            SELECT id, state, attempts, org_id, to_number, user_id, segments, carrier_sid FROM message WHERE carrier_sid = \(report.sid)
            LIMIT 1 FOR UPDATE
            """).first
    }
}
