import Foundation
import GRDB
import HeraldCore

extension QueueDatabase {
    /// Applies a carrier's status report through Core's forward-only rule: `sent` never
    /// overwrites a final state, and a repeated report changes nothing.
    public func apply(_ report: StatusReport, now: Date) async throws -> StatusEffect {
        try await timedWrite { [reconcile] db in
            try Self.apply(report, reason: .statusCallback, transitions: MessageTransitions(db, now: now, reconcileAfter: reconcile.after))
        }
    }

    /// A report, by callback or by lookup (`reason`), applied inside the caller's transaction.
    static func apply(_ report: StatusReport, reason: EventReason, transitions: MessageTransitions) throws -> StatusEffect {
        let db = transitions.db
        if let part = try MessageParts.locate(report, in: db) {
            return try MessageParts.apply(report, messageID: part.messageID, part: part.part, of: part.total, reason: reason,
                                          transitions: transitions)
        }
        guard let row = try message(reportedBy: report, in: db) else { return .unknownMessage }
        let id: Int64 = row[0]
        let state = MessageState(rawValue: row[1]) ?? .queued
        guard let reported = StatusCallbackRule.state(ofCarrierStatus: report.status) else {
            return .ignored(id: id, state: state, why: "carrier status \(report.status) is not a transition")
        }
        switch StatusCallbackRule.decide(current: state, posted: (row[2] as Int) > 0, reported: reported) {
        case let .ignore(why):
            return .ignored(id: id, state: state, why: why)
        case let .move(target, confirmsPost):
            try transitions.applyReport(id, from: state, to: target, CarrierReport(
                sid: report.sid, carrierStatus: report.status, segments: report.segments, errorCode: report.errorCode, reason: reason
            ))
            if report.errorCode == CarrierErrorCode.unsubscribed {
                try ConsentLedger.recordCarrierOptOut(org: row[3], number: row[4], messageID: id, transitions: transitions)
            }
            if confirmsPost {
                try Usage.add(org: row[3], user: row[5], segments: report.segments ?? row[6] ?? 1, at: transitions.at, in: db)
            }
            return .moved(id: id, from: state, to: target)
        }
    }

    /// The message a report is about: by the id in the callback URL Herald gave (unless the
    /// message already has another sid), else by the sid. Columns: id, state, attempts, org_id,
    /// to_number, user_id, segments.
    private static func message(reportedBy report: StatusReport, in db: Database) throws -> Row? {
        let columns = "SELECT id, state, attempts, org_id, to_number, user_id, segments, carrier_sid FROM message"
        if let id = report.messageID, let row = try Row.fetchOne(db, sql: columns + " WHERE id = ?", arguments: [id]),
           (row[7] as String?).map({ $0 == report.sid }) ?? true {
            return row
        }
        return try Row.fetchOne(db, sql: columns + " WHERE carrier_sid = ?", arguments: [report.sid])
    }
}
