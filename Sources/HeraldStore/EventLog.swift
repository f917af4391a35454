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

/// Appends transitions within one transaction; the statement is prepared once per transaction
/// rather than looked up by its SQL text for every row.
struct EventLog {
    private let insert: Statement
    private let at: Int64

    init(_ db: Database, at millis: Int64) throws {
        insert = try db.cachedStatement(sql: """
            INSERT INTO message_event (message_id, at, from_state, to_state, reason, detail, http_status, error_code, carrier_status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        at = millis
    }

    func append(_ transition: Transition) throws {
        try insert.execute(arguments: [
            transition.messageID, at, transition.from?.rawValue, transition.to.rawValue, transition.reason,
            transition.detail, transition.httpStatus, transition.errorCode, transition.carrierStatus,
        ])
    }
}
