import Foundation
import GRDB
import HeraldCore

/// A carrier status callback, as parsed from the webhook.
public struct StatusReport: Sendable, Equatable {
    /// From the callback URL Herald gave the carrier, so a callback that overtakes the recording
    /// of its own POST still finds its message.
    public var messageID: Int64?
    public var sid: String
    public var status: String
    public var errorCode: Int?
    public var segments: Int?
    /// `segmentation = "client"`: which part of how many this callback is about, from the callback
    /// URL Herald gave that part.
    public var part: Int?
    public var parts: Int?

    public init(messageID: Int64?, sid: String, status: String, errorCode: Int?, segments: Int?, part: Int? = nil, parts: Int? = nil) {
        self.messageID = messageID
        self.sid = sid
        self.status = status
        self.errorCode = errorCode
        self.segments = segments
        self.part = part
        self.parts = parts
    }

    /// The state a carrier status stands for; nil for statuses that say nothing new.
    var target: MessageState? { Self.target(of: status) }

    static func target(of status: String) -> MessageState? {
        switch status.lowercased() {
        case "accepted", "queued", "sending", "sent", "scheduled": .sent
        case "delivered", "read": .delivered
        case "undelivered": .undelivered
        case "failed", "canceled": .failed
        default: nil
        }
    }
}

public enum StatusEffect: Sendable, Equatable {
    case moved(id: Int64, from: MessageState, to: MessageState)
    /// Duplicate, stale or out-of-order: recorded nowhere, changes nothing.
    case ignored(id: Int64, state: MessageState, why: String)
    case unknownMessage
}

extension QueueDatabase {
    /// Applies a callback. Callbacks only move a message forward: `sent` never overwrites a final
    /// state, and a repeated callback changes nothing.
    public func apply(_ report: StatusReport, now: Date, usageMonth: @escaping @Sendable (String) -> String) async throws -> StatusEffect {
        try await pool.write { db in
            let at = now.millis
            let events = try EventLog(db, at: at)
            if let id = report.messageID, let part = report.part, let parts = report.parts, parts > 1, (1...parts).contains(part) {
                return try MessageParts.apply(report, messageID: id, part: part, of: parts, at: at, events: events,
                                              usageMonth: usageMonth, in: db)
            }
            // A part's callback that lost the URL naming it (a gateway calling a number-level
            // callback instead): known by its recorded sid, it must still not speak for the message.
            if let known = try MessageParts.part(sid: report.sid, in: db) {
                return try MessageParts.apply(report, messageID: known.messageID, part: known.part, of: known.total, at: at,
                                              events: events, usageMonth: usageMonth, in: db)
            }
            var row: Row?
            if let id = report.messageID {
                row = try Row.fetchOne(db, sql: "SELECT * FROM message WHERE id = ?", arguments: [id])
                if let found = row, let sid: String = found["carrier_sid"], sid != report.sid { row = nil }
            }
            if row == nil {
                row = try Row.fetchOne(db, sql: "SELECT * FROM message WHERE carrier_sid = ?", arguments: [report.sid])
            }
            guard let row else { return .unknownMessage }
            let id: Int64 = row["id"]
            let state = MessageState(rawValue: row["state"]) ?? .queued
            guard let target = report.target else {
                return .ignored(id: id, state: state, why: "carrier status \(report.status) is not a transition")
            }
            if state.isFinal { return .ignored(id: id, state: state, why: "already final") }
            if state == target { return .ignored(id: id, state: state, why: "duplicate") }
            let posted = (row["attempts"] as Int) > 0
            guard posted, state != .awaitingConsent else {
                return .ignored(id: id, state: state, why: "never posted")
            }
            // Still sending or waiting for a retry: the carrier has it after all.
            let wasUnconfirmed = state != .sent
            try db.execute(sql: """
                UPDATE message SET state = ?, carrier_sid = COALESCE(carrier_sid, ?), carrier_status = ?,
                    carrier_segments = COALESCE(?, carrier_segments), error_code = COALESCE(?, error_code),
                    held_reason = NULL, sent_at = COALESCE(sent_at, ?), updated_at = ?, final_at = ?
                WHERE id = ?
                """, arguments: [target.rawValue, report.sid, report.status, report.segments, report.errorCode,
                                 at, at, target.isFinal ? at : nil, id])
            try events.append(Transition(id, from: state, to: target, reason: "status_callback",
                                           errorCode: report.errorCode, carrierStatus: report.status))
            if report.errorCode == CarrierErrorCode.unsubscribed, let org: String = row["org_id"], let to: String = row["to_number"] {
                try ConsentLedger.recordCarrierOptOut(org: org, number: to, messageID: id, at: at, in: db)
            }
            if wasUnconfirmed {
                try Usage.add(org: row["org_id"], user: row["user_id"], month: usageMonth(row["org_id"]),
                              segments: report.segments ?? row["segments"] ?? 1, in: db)
            }
            return .moved(id: id, from: state, to: target)
        }
    }
}
