import GRDB
import HeraldCore

/// One row per state transition, written by whoever changes the state, in the same transaction.
struct Transition {
    var messageID: Int64
    var from: MessageState?
    var to: MessageState
    var reason: String?
    var detail: String?
    var httpStatus: Int?
    var errorCode: Int?
    var carrierStatus: String?

    init(
        _ messageID: Int64, from: MessageState?, to: MessageState, reason: String? = nil, detail: String? = nil,
        httpStatus: Int? = nil, errorCode: Int? = nil, carrierStatus: String? = nil
    ) {
        self.messageID = messageID
        self.from = from
        self.to = to
        self.reason = reason
        self.detail = detail
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.carrierStatus = carrierStatus
    }
}

enum EventLog {
    static func append(_ transition: Transition, at millis: Int64, in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO message_event (message_id, at, from_state, to_state, reason, detail, http_status, error_code, carrier_status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [
            transition.messageID, millis, transition.from?.rawValue, transition.to.rawValue, transition.reason,
            transition.detail, transition.httpStatus, transition.errorCode, transition.carrierStatus,
        ])
    }
}
