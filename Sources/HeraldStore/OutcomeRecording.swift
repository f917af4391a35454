import Foundation
import GRDB
import HeraldCore

/// The result of one POST, ready to be written.
public struct DispatchRecord: Sendable, Equatable {
    public var message: ClaimedMessage
    public var decision: OutcomeDecision
    public var httpStatus: Int?
    /// `segmentation = "client"`: the sids of the parts the carrier accepted, in part order.
    public var partSIDs: [String]

    public init(message: ClaimedMessage, decision: OutcomeDecision, httpStatus: Int?, partSIDs: [String] = []) {
        self.message = message
        self.decision = decision
        self.httpStatus = httpStatus
        self.partSIDs = partSIDs
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
            var accepted: [(record: DispatchRecord, sid: String, status: String, segments: Int?)] = []
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
                // Kept whatever became of the message: a retry leaves the parts already taken on
                // record, and the callbacks of those parts find their rows.
                try MessageParts.recordAccepted(record.partSIDs, of: id, at: at, in: db)
                switch record.decision {
                case let .sent(sid, status, segments):
                    accepted.append((record, sid, status, segments))
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
                        // A 4xx is the carrier refusing the text outright: nothing was sent, so nothing is owed.
                        if let status = record.httpStatus, (400..<500).contains(status), record.partSIDs.isEmpty {
                            try CreditBook.refund(messageID: id, in: db)
                        }
                        if code == CarrierErrorCode.unsubscribed {
                            try ConsentLedger.recordCarrierOptOut(org: record.message.orgID, number: record.message.to,
                                                                  messageID: id, at: at, in: db)
                        }
                    }
                case let .expire(detail):
                    try fail.execute(arguments: [MessageState.expired.rawValue, nil, "expired", detail, at, at, id])
                    if db.changesCount == 1 {
                        try events.append(Transition(id, from: .sending, to: .expired, reason: "expired", detail: detail,
                                                       httpStatus: record.httpStatus))
                    }
                }
            }
            // The common case, accepted posts, is written with one UPDATE and one INSERT per batch.
            if !accepted.isEmpty {
                let rows = accepted.map { item in
                    "[\(item.record.message.id),\(JSONText.quote(item.sid)),\(JSONText.quote(item.status)),"
                        + "\(item.segments.map(String.init) ?? "null"),\(item.record.httpStatus.map(String.init) ?? "null")]"
                }
                let list = "[" + rows.joined(separator: ",") + "]"
                let moved = Set(try Int64.fetchAll(db.cachedStatement(sql: """
                    UPDATE message SET state = 'sent', carrier_sid = v.sid, carrier_status = v.status,
                        carrier_segments = v.segments, sent_at = ?1, updated_at = ?1, error_code = NULL, detail = NULL
                    FROM (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS sid,
                                 json_extract(value, '$[2]') AS status, json_extract(value, '$[3]') AS segments
                          FROM json_each(?2)) AS v
                    WHERE message.id = v.id AND message.state = 'sending'
                    RETURNING message.id
                    """), arguments: [at, list]))
                try db.cachedStatement(sql: """
                    INSERT INTO message_event (message_id, at, from_state, to_state, http_status, carrier_status)
                    SELECT json_extract(value, '$[0]'), ?1, 'sending', 'sent', json_extract(value, '$[4]'), json_extract(value, '$[2]')
                    FROM json_each(?2) WHERE json_extract(value, '$[0]') IN (SELECT value FROM json_each(?3)) ORDER BY key
                    """).execute(arguments: [at, list, "[" + moved.map(String.init).joined(separator: ",") + "]"])
                for item in accepted {
                    let message = item.record.message
                    if moved.contains(message.id) {
                        usage.add(org: message.orgID, user: message.userID, segments: item.segments ?? message.segments)
                    } else {
                        // A status callback overtook this write and already moved the message on.
                        try fillSid.execute(arguments: [item.sid, message.id])
                    }
                }
            }
            try usage.write(in: db)
        }
    }
}
