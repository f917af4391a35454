import Foundation
import GRDB
import HeraldCore

extension QueueDatabase {
    /// Writes a batch of POST results in one transaction. A row that left `sending` meanwhile
    /// (a status callback overtook this write) keeps its newer state. Returns the records that
    /// moved their message: only those may be logged as transitions.
    @discardableResult
    public func record(_ records: [DispatchRecord], now: Date) async throws -> [DispatchRecord] {
        guard !records.isEmpty else { return [] }
        return try await timedWrite { db in
            try Self.write(records, with: MessageTransitions(db, now: now, reconcileAfter: reconcile.after))
        }
    }

    static func write(_ records: [DispatchRecord], with transitions: MessageTransitions) throws -> [DispatchRecord] {
        guard !records.isEmpty else { return [] }
        let db = transitions.db
        var accepted: [MessageTransitions.Acceptance] = []
        var posted: [DispatchRecord] = []
        var applied: [DispatchRecord] = []
        for record in records {
            let message = record.message
            // Kept whatever became of the message: a retry leaves the parts already taken on
            // record, and the callbacks of those parts find their rows.
            try MessageParts.recordAccepted(record.partSIDs, of: message.id, at: transitions.at, in: db)
            switch record.decision {
            case let .sent(sid, status, segments):
                accepted.append(.init(id: message.id, sid: sid, carrierStatus: status, segments: segments, httpStatus: record.httpStatus))
                posted.append(record)
            case let .retry(notBefore, reason, detail):
                guard try transitions.retryLater(message.id, until: notBefore, reason: reason, detail: detail,
                                                 httpStatus: record.httpStatus) else { continue }
                applied.append(record)
            case let .fail(code, detail):
                guard try transitions.end(message.id, from: .sending, to: .failed, reason: .carrierError, detail: detail,
                                          httpStatus: record.httpStatus, errorCode: code) else { continue }
                applied.append(record)
                if CreditRule.refunds(httpStatus: record.httpStatus, partsAccepted: record.partSIDs.count) {
                    try transitions.refundCredits(message.id)
                }
                if code == CarrierErrorCode.unsubscribed {
                    try ConsentLedger.recordCarrierOptOut(org: message.orgID, number: message.to, messageID: message.id,
                                                          transitions: transitions)
                }
            case let .expire(detail):
                guard try transitions.end(message.id, from: .sending, to: .expired, reason: .expired, detail: detail,
                                          httpStatus: record.httpStatus) else { continue }
                applied.append(record)
            }
        }
        // The common case, accepted posts, is written with one UPDATE and one INSERT per batch.
        let moved = try transitions.recordAccepted(accepted)
        var usage = UsageTally()
        for (item, record) in zip(accepted, posted) where moved.contains(item.id) {
            let message = record.message
            usage.add(org: message.orgID, user: message.userID, segments: item.segments ?? message.segments)
            applied.append(record)
        }
        try usage.write(at: transitions.at, in: db)
        return applied
    }
}
