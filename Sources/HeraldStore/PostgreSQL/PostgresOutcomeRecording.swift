import Foundation
import HeraldCore
import PostgresNIO

extension PostgresQueue {
    /// Writes a batch of POST results in one transaction. A row that left `sending` meanwhile
    /// (a status callback overtook this write) keeps its newer state.
    /// Returns the records that moved their message (see `QueueDatabase.record`).
    @discardableResult
    public func record(_ records: [DispatchRecord], now: Date) async throws -> [DispatchRecord] {
        guard !records.isEmpty else { return [] }
        return try await write { [reconcile] session in
            try await Self.write(records, with: PostgresTransitions(session, now: now, reconcileAfter: reconcile.after))
        }
    }

    /// What Core's `OutcomeDecision` said of each post, carried out as SQLite's `QueueDatabase.write` does.
    static func write(_ records: [DispatchRecord], with transitions: PostgresTransitions) async throws -> [DispatchRecord] {
        guard !records.isEmpty else { return [] }
        let session = transitions.session
        var accepted: [MessageTransitions.Acceptance] = []
        var posted: [DispatchRecord] = []
        var applied: [DispatchRecord] = []
        for record in records {
            let message = record.message
            try await PostgresMessageParts.recordAccepted(record.partSIDs, of: message.id, at: transitions.at, in: session)
            switch record.decision {
            case let .sent(sid, status, segments):
                accepted.append(.init(id: message.id, sid: sid, carrierStatus: status, segments: segments, httpStatus: record.httpStatus))
                posted.append(record)
            case let .retry(notBefore, reason, detail):
                guard try await transitions.retryLater(message.id, until: notBefore, reason: reason, detail: detail,
                                                       httpStatus: record.httpStatus) else { continue }
                applied.append(record)
            case let .fail(code, detail):
                guard try await transitions.end(message.id, from: .sending, to: .failed, reason: .carrierError, detail: detail,
                                                httpStatus: record.httpStatus, errorCode: code) else { continue }
                applied.append(record)
                if CreditRule.refunds(httpStatus: record.httpStatus, partsAccepted: record.partSIDs.count) {
                    try await transitions.refundCredits(message.id)
                }
                if code == CarrierErrorCode.unsubscribed {
                    try await PostgresConsentLedger.recordCarrierOptOut(org: message.orgID, number: message.to, messageID: message.id,
                                                                        transitions: transitions)
                }
            case let .expire(detail):
                guard try await transitions.end(message.id, from: .sending, to: .expired, reason: .expired, detail: detail,
                                                httpStatus: record.httpStatus) else { continue }
                applied.append(record)
            }
        }
        let moved = try await transitions.recordAccepted(accepted)
        var usage = PostgresUsage.Tally()
        for (item, record) in zip(accepted, posted) where moved.contains(item.id) {
            usage.add(org: record.message.orgID, user: record.message.userID, segments: item.segments ?? record.message.segments)
            applied.append(record)
        }
        try await usage.write(at: transitions.at, in: session)
        return applied
    }
}
