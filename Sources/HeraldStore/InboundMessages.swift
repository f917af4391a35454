import Foundation
import GRDB
import HeraldCore

public struct InboundReport: Sendable, Equatable {
    public var from: String
    public var to: String
    public var body: String
    public var sid: String?

    public init(from: String, to: String, body: String, sid: String?) {
        self.from = from
        self.to = to
        self.body = body
        self.sid = sid
    }
}

public struct StoredInbound: Sendable, Equatable {
    public var id: Int64
    public var orgID: String?
    /// False when the carrier redelivered a webhook already stored.
    public var isNew: Bool
}

extension QueueDatabase {
    /// Stores a reply once, attributed to the organization owning the number it was sent to.
    public func store(_ inbound: InboundReport, now: Date) async throws -> StoredInbound {
        try await pool.write { db in
            if let sid = inbound.sid,
               let existing = try Row.fetchOne(db, sql: "SELECT id, org_id FROM inbound_message WHERE carrier_sid = ?", arguments: [sid]) {
                return StoredInbound(id: existing["id"], orgID: existing["org_id"], isNew: false)
            }
            let org = try String.fetchOne(db, sql: "SELECT org_id FROM phone_number WHERE e164 = ? AND status = 'active'", arguments: [inbound.to])
            try db.execute(sql: """
                INSERT INTO inbound_message (org_id, from_number, to_number, body, received_at, carrier_sid) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [org, inbound.from, inbound.to, inbound.body, now.millis, inbound.sid])
            return StoredInbound(id: db.lastInsertedRowID, orgID: org, isNew: true)
        }
    }
}
