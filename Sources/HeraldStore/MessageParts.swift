import Foundation
import GRDB
import HeraldCore

/// The parts of messages Herald segments itself (`segmentation = "client"`, SPEC §7). Each part
/// is a carrier message of its own, with its own sid and status callbacks; the message follows
/// all of them together:
///
/// - `sent` once every part is accepted (by the posts, or by callbacks that overtook them);
/// - `delivered` once every part is delivered: a handset shows the text only when it has all;
/// - `undelivered` or `failed` as soon as one part is, since the text can no longer be shown whole.
enum MessageParts {
    /// Records the parts the carrier accepted, sid only: their status comes with their callbacks.
    /// A row a callback wrote first keeps its status.
    static func recordAccepted(_ sids: [String], of messageID: Int64, at: Int64, in db: Database) throws {
        guard !sids.isEmpty else { return }
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO message_part (message_id, part, carrier_sid, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (message_id, part) DO UPDATE SET carrier_sid = COALESCE(message_part.carrier_sid, excluded.carrier_sid)
            """)
        for (index, sid) in sids.enumerated() {
            try upsert.execute(arguments: [messageID, index + 1, sid, at])
        }
    }

    /// The recorded part a carrier sid belongs to, with the message's part count.
    static func part(sid: String, in db: Database) throws -> (messageID: Int64, part: Int, total: Int)? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT p.message_id, p.part, m.segments FROM message_part p JOIN message m ON m.id = p.message_id
            WHERE p.carrier_sid = ?
            """, arguments: [sid]) else { return nil }
        let total: Int? = row[2]
        guard let total, total > 1 else { return nil }
        return (row[0], row[1], total)
    }

    /// Applies the status callback of part `part` of `total`, then moves the message if its parts
    /// together now say something new. Parts, like messages, only move forward.
    static func apply(
        _ report: StatusReport, messageID id: Int64, part: Int, of total: Int, at: Int64, events: EventLog,
        usageMonth: (String) -> String, in db: Database
    ) throws -> StatusEffect {
        guard let row = try Row.fetchOne(db, sql: "SELECT state, attempts, org_id, user_id FROM message WHERE id = ?", arguments: [id]) else {
            return .unknownMessage
        }
        let state = MessageState(rawValue: row["state"]) ?? .queued
        let name = "part \(part) of \(total)"
        guard let partTarget = report.target else {
            return .ignored(id: id, state: state, why: "\(name): carrier status \(report.status) is not a transition")
        }
        // A row without a status (accepted, no callback yet) takes the first status given.
        if let status = try String.fetchOne(db, sql: "SELECT carrier_status FROM message_part WHERE message_id = ? AND part = ?",
                                            arguments: [id, part]) {
            let known = partState(status)
            if known.isFinal { return .ignored(id: id, state: state, why: "\(name) already final") }
            if known == partTarget { return .ignored(id: id, state: state, why: "\(name): duplicate") }
        }
        try db.execute(sql: """
            INSERT INTO message_part (message_id, part, carrier_sid, carrier_status, error_code, updated_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (message_id, part) DO UPDATE SET carrier_sid = excluded.carrier_sid, carrier_status = excluded.carrier_status,
                error_code = COALESCE(excluded.error_code, message_part.error_code), updated_at = excluded.updated_at
            """, arguments: [id, part, report.sid, report.status, report.errorCode, at])

        guard let (target, detail, errorCode) = try aggregate(of: id, total: total, in: db) else {
            return .ignored(id: id, state: state, why: "\(name) \(report.status) recorded; the message waits for its other parts")
        }
        if state.isFinal { return .ignored(id: id, state: state, why: "\(name) recorded; the message is already final") }
        if state == target { return .ignored(id: id, state: state, why: "\(name) \(report.status) recorded") }
        guard (row["attempts"] as Int) > 0, state != .awaitingConsent else {
            return .ignored(id: id, state: state, why: "never posted")
        }
        // Still sending or waiting for a retry: the carrier has the parts after all.
        let wasUnconfirmed = state != .sent
        try db.execute(sql: """
            UPDATE message SET state = ?,
                carrier_sid = COALESCE(carrier_sid, (SELECT carrier_sid FROM message_part WHERE message_id = ? AND part = 1), ?),
                carrier_status = ?, error_code = COALESCE(?, error_code), held_reason = NULL, sent_at = COALESCE(sent_at, ?),
                updated_at = ?, final_at = ?
            WHERE id = ?
            """,
            arguments: [target.rawValue, id, report.sid, report.status, errorCode, at, at, target.isFinal ? at : nil, id])
        try events.append(Transition(id, from: state, to: target, reason: "status_callback", detail: detail,
                                     errorCode: errorCode, carrierStatus: report.status))
        if wasUnconfirmed {
            // Each part is one segment the carrier carried.
            try Usage.add(org: row["org_id"], user: row["user_id"], month: usageMonth(row["org_id"]), segments: total, in: db)
        }
        return .moved(id: id, from: state, to: target)
    }

    /// What the parts say about the message together; nil while that is nothing yet.
    private static func aggregate(of id: Int64, total: Int, in db: Database) throws -> (MessageState, String, Int?)? {
        let rows = try Row.fetchAll(db, sql: """
            SELECT part, carrier_status, error_code FROM message_part WHERE message_id = ? AND part <= ? ORDER BY part
            """, arguments: [id, total])
        let parts = rows.map { (number: $0["part"] as Int, state: partState($0["carrier_status"]), errorCode: $0["error_code"] as Int?) }
        if let lost = parts.first(where: { $0.state == .undelivered || $0.state == .failed }) {
            return (lost.state, "part \(lost.number) of \(total) \(lost.state.rawValue)", lost.errorCode)
        }
        guard parts.count == total else { return nil }
        if parts.allSatisfy({ $0.state == .delivered }) {
            return (.delivered, "all \(total) parts delivered", nil)
        }
        return (.sent, "all \(total) parts accepted", nil)
    }

    /// A part row without a status was accepted by a post and has had no callback yet.
    private static func partState(_ status: String?) -> MessageState {
        status.flatMap(StatusReport.target(of:)) ?? .sent
    }
}
