import Foundation
import GRDB
import HeraldCore

/// The parts of messages Herald segments itself (`segmentation = "client"`, docs/carrier.md).
/// Each part is a carrier message of its own, with its own sid and status callbacks; how the
/// message follows them is Core's `MessagePartsRule`.
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

    /// The parts of a message the carrier took so far, by part number.
    static func accepted(of id: Int64, in db: Database) throws -> [Int: String] {
        try Dictionary(Row.fetchAll(db, sql: "SELECT part, carrier_sid FROM message_part WHERE message_id = ? AND carrier_sid IS NOT NULL",
                                    arguments: [id]).map { ($0[0] as Int, $0[1] as String) }, uniquingKeysWith: { first, _ in first })
    }

    /// The part a report is about: named by the callback URL Herald gave that part, or, for a
    /// part's report that lost that URL (a gateway calling a number-level callback instead), by its
    /// recorded sid, so that it still does not speak for the whole message.
    static func locate(_ report: StatusReport, in db: Database) throws -> (messageID: Int64, part: Int, total: Int)? {
        if let id = report.messageID, let part = report.part, let parts = report.parts, parts > 1, (1...parts).contains(part) {
            return (id, part, parts)
        }
        guard let row = try Row.fetchOne(db, sql: """
            SELECT p.message_id, p.part, m.segments FROM message_part p JOIN message m ON m.id = p.message_id
            WHERE p.carrier_sid = ?
            """, arguments: [report.sid]) else { return nil }
        let total: Int? = row[2]
        guard let total, total > 1 else { return nil }
        return (row[0], row[1], total)
    }

    /// Records the report of part `part` of `total`, then moves the message if its parts together
    /// now say something new (Core's `MessagePartsRule`). Parts, like messages, only move forward.
    static func apply(
        _ report: StatusReport, messageID id: Int64, part: Int, of total: Int, reason: EventReason = .statusCallback,
        transitions: MessageTransitions
    ) throws -> StatusEffect {
        let db = transitions.db
        guard let row = try Row.fetchOne(db, sql: "SELECT state, attempts, org_id, user_id FROM message WHERE id = ?", arguments: [id]) else {
            return .unknownMessage
        }
        let state = MessageState(rawValue: row["state"]) ?? .queued
        guard let reported = StatusCallbackRule.state(ofCarrierStatus: report.status) else {
            let name = MessagePartsRule.name(part: part, of: total)
            return .ignored(id: id, state: state, why: "\(name): carrier status \(report.status) is not a transition")
        }
        let known = try parts(of: id, in: db).first { $0.number == part }
        if case let .ignore(why)? = MessagePartsRule.staleReport(reported, known: known, total: total) {
            return .ignored(id: id, state: state, why: why)
        }
        try db.execute(sql: """
            INSERT INTO message_part (message_id, part, carrier_sid, carrier_status, error_code, updated_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (message_id, part) DO UPDATE SET carrier_sid = excluded.carrier_sid, carrier_status = excluded.carrier_status,
                error_code = COALESCE(excluded.error_code, message_part.error_code), updated_at = excluded.updated_at
            """, arguments: [id, part, report.sid, report.status, report.errorCode, transitions.at])
        let aggregate = MessagePartsRule.aggregate(try parts(of: id, in: db).filter { $0.number <= total }, total: total)
        switch MessagePartsRule.decide(current: state, posted: (row["attempts"] as Int) > 0, aggregate: aggregate, part: part,
                                       of: total, carrierStatus: report.status) {
        case let .ignore(why):
            return .ignored(id: id, state: state, why: why)
        case let .move(target, confirmsPost):
            try transitions.applyReport(id, from: state, to: target, CarrierReport(
                sid: report.sid, carrierStatus: report.status, errorCode: aggregate?.errorCode, detail: aggregate?.detail,
                clientSegmented: true, reason: reason
            ))
            if confirmsPost {
                // Each part is one segment the carrier carried.
                try Usage.add(org: row["org_id"], user: row["user_id"], segments: total, at: transitions.at, in: db)
            }
            return .moved(id: id, from: state, to: target)
        }
    }

    private static func parts(of id: Int64, in db: Database) throws -> [MessagePartsRule.Part] {
        try Row.fetchAll(db, sql: "SELECT part, carrier_status, error_code FROM message_part WHERE message_id = ? ORDER BY part",
                         arguments: [id]).map { MessagePartsRule.Part(number: $0[0], carrierStatus: $0[1], errorCode: $0[2]) }
    }
}
