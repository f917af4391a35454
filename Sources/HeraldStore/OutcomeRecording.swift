import Foundation
import GRDB
import HeraldCore

/// The result of one POST, ready to be written.
public struct DispatchRecord: Sendable, Equatable {
    public var message: ClaimedMessage
    public var decision: OutcomeDecision
    public var httpStatus: Int?

    public init(message: ClaimedMessage, decision: OutcomeDecision, httpStatus: Int?) {
        self.message = message
        self.decision = decision
        self.httpStatus = httpStatus
    }
}

extension QueueDatabase {
    /// Writes a batch of POST results in one transaction. A row that left `sending` meanwhile
    /// (a status callback overtook this write) keeps its newer state.
    public func record(_ records: [DispatchRecord], now: Date, usageMonth: @escaping @Sendable (String) -> String) async throws {
        guard !records.isEmpty else { return }
        try await pool.write { db in
            try Self.write(records, at: now.millis, usageMonth: usageMonth, in: db)
        }
    }

    static func write(_ records: [DispatchRecord], at: Int64, usageMonth: @escaping (String) -> String, in db: Database) throws {
        guard !records.isEmpty else { return }
        do {
            let events = try EventLog(db, at: at)
            var usage = UsageTally(monthOf: usageMonth)
            let sent = try db.cachedStatement(sql: """
                UPDATE message SET state = 'sent', carrier_sid = ?, carrier_status = ?, carrier_segments = ?, sent_at = ?,
                    updated_at = ?, error_code = NULL, detail = NULL WHERE id = ? AND state = 'sending'
                """)
            let fillSid = try db.cachedStatement(sql: "UPDATE message SET carrier_sid = COALESCE(carrier_sid, ?) WHERE id = ?")
            let retry = try db.cachedStatement(sql: """
                UPDATE message SET state = 'scheduled', not_before = ?, held_reason = ?, detail = ?, updated_at = ?
                WHERE id = ? AND state = 'sending'
                """)
            let fail = try db.cachedStatement(sql: """
                UPDATE message SET state = ?, error_code = ?, reason = ?, detail = ?, updated_at = ?, final_at = ?
                WHERE id = ? AND state = 'sending'
                """)
            for record in records {
                let id = record.message.id
                switch record.decision {
                case let .sent(sid, status, segments):
                    try sent.execute(arguments: [sid, status, segments, at, at, id])
                    if db.changesCount == 1 {
                        try events.append(Transition(id, from: .sending, to: .sent, httpStatus: record.httpStatus, carrierStatus: status))
                        usage.add(org: record.message.orgID, user: record.message.userID, segments: segments ?? record.message.segments)
                    } else {
                        try fillSid.execute(arguments: [sid, id])
                    }
                case let .retry(notBefore, reason, detail):
                    try retry.execute(arguments: [notBefore.millis, reason.rawValue, detail, at, id])
                    if db.changesCount == 1 {
                        try events.append(Transition(id, from: .sending, to: .scheduled, reason: reason.rawValue,
                                                       detail: "\(detail); next attempt \(Timestamp.format(notBefore))",
                                                       httpStatus: record.httpStatus))
                    }
                case let .fail(code, detail):
                    try fail.execute(arguments: [MessageState.failed.rawValue, code, "carrier_error", detail, at, at, id])
                    if db.changesCount == 1 {
                        try events.append(Transition(id, from: .sending, to: .failed, reason: "carrier_error", detail: detail,
                                                       httpStatus: record.httpStatus, errorCode: code))
                    }
                case let .expire(detail):
                    try fail.execute(arguments: [MessageState.expired.rawValue, nil, "expired", detail, at, at, id])
                    if db.changesCount == 1 {
                        try events.append(Transition(id, from: .sending, to: .expired, reason: "expired", detail: detail,
                                                       httpStatus: record.httpStatus))
                    }
                }
            }
            try usage.write(in: db)
        }
    }
}
