import Foundation
import HeraldCore
import PostgresNIO

/// The parts of messages Herald segments itself (`segmentation = "client"`), as `MessageParts`
/// keeps them for SQLite; how the message follows them is Core's `MessagePartsRule`.
enum PostgresMessageParts {
    static func recordAccepted(_ sids: [String], of messageID: Int64, at: Int64, in session: PostgresSession) async throws {
        for (index, sid) in sids.enumerated() {
            try await session.execute("""
                INSERT INTO message_part (message_id, part, carrier_sid, updated_at) VALUES (\(messageID), \(index + 1), \(sid), \(at))
                ON CONFLICT (message_id, part) DO UPDATE SET carrier_sid = COALESCE(message_part.carrier_sid, excluded.carrier_sid)
                """)
        }
    }

    static func accepted(of id: Int64, in session: PostgresSession) async throws -> [Int: String] {
        var parts: [Int: String] = [:]
        for row in try await session.rows(
            "SELECT part, carrier_sid FROM message_part WHERE message_id = \(id) AND carrier_sid IS NOT NULL ORDER BY part") {
            let (part, sid) = try row.decode((Int, String).self)
            parts[part] = parts[part] ?? sid
        }
        return parts
    }

    static func locate(_ report: StatusReport, in session: PostgresSession) async throws -> (messageID: Int64, part: Int, total: Int)? {
        if let id = report.messageID, let part = report.part, let parts = report.parts, parts > 1, (1...parts).contains(part) {
            return (id, part, parts)
        }
        guard let row = try await session.rows("""
            SELECT p.message_id, p.part, m.segments FROM message_part p JOIN message m ON m.id = p.message_id
            WHERE p.carrier_sid = \(report.sid)
            """).first else { return nil }
        let (id, part, total) = try row.decode((Int64, Int, Int?).self)
        guard let total, total > 1 else { return nil }
        return (id, part, total)
    }

    static func apply(
        _ report: StatusReport, messageID id: Int64, part: Int, of total: Int, reason: EventReason = .statusCallback,
        transitions: PostgresTransitions
    ) async throws -> StatusEffect {
        let session = transitions.session
        guard let row = try await session.rows(
            "SELECT state, attempts, org_id, user_id FROM message WHERE id = \(id) FOR UPDATE").first else {
            return .unknownMessage
        }
        let (stateText, attempts, org, user) = try row.decode((String, Int, String?, String?).self)
        let state = MessageState(rawValue: stateText) ?? .queued
        guard let reported = StatusCallbackRule.state(ofCarrierStatus: report.status) else {
            let name = MessagePartsRule.name(part: part, of: total)
            return .ignored(id: id, state: state, why: "\(name): carrier status \(report.status) is not a transition")
        }
        let known = try await parts(of: id, in: session).first { $0.number == part }
        if case let .ignore(why)? = MessagePartsRule.staleReport(reported, known: known, total: total) {
            return .ignored(id: id, state: state, why: why)
        }
        try await session.execute("""
            INSERT INTO message_part (message_id, part, carrier_sid, carrier_status, error_code, updated_at)
            VALUES (\(id), \(part), \(report.sid), \(report.status), \(report.errorCode), \(transitions.at))
            ON CONFLICT (message_id, part) DO UPDATE SET carrier_sid = excluded.carrier_sid, carrier_status = excluded.carrier_status,
                error_code = COALESCE(excluded.error_code, message_part.error_code), updated_at = excluded.updated_at
            """)
        let aggregate = MessagePartsRule.aggregate(try await parts(of: id, in: session).filter { $0.number <= total }, total: total)
        switch MessagePartsRule.decide(current: state, posted: attempts > 0, aggregate: aggregate, part: part,
                                       of: total, carrierStatus: report.status) {
        case let .ignore(why):
            return .ignored(id: id, state: state, why: why)
        case let .move(target, confirmsPost):
            try await transitions.applyReport(id, from: state, to: target, CarrierReport(
                sid: report.sid, carrierStatus: report.status, errorCode: aggregate?.errorCode, detail: aggregate?.detail,
                clientSegmented: true, reason: reason
            ))
            if confirmsPost, let org, let user {
                try await PostgresUsage.add(org: org, user: user, segments: total, at: transitions.at, in: session)
            }
            return .moved(id: id, from: state, to: target)
        }
    }

    private static func parts(of id: Int64, in session: PostgresSession) async throws -> [MessagePartsRule.Part] {
        try await session.rows("SELECT part, carrier_status, error_code FROM message_part WHERE message_id = \(id) ORDER BY part").map { row in
            let (number, status, code) = try row.decode((Int, String?, Int?).self)
            return MessagePartsRule.Part(number: number, carrierStatus: status, errorCode: code)
        }
    }
}
