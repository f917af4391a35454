import Foundation
import GRDB
import HeraldCore

/// Texts still `sent`, looked up by sid (docs/carrier.md, "Reconciliation"). What the carrier
/// says goes through the same forward-only rule as a status callback; when to ask again, or to
/// stop asking, is Core's `ReconcileSchedule`.
extension QueueDatabase {
    public func prepareReconciliation(now: Date) async throws -> Int {
        try await timedWrite { [reconcile] db in
            try MessageTransitions(db, now: now, reconcileAfter: reconcile.after).reconcileSoon(spread: reconcile.startSpread)
        }
    }

    public func dueReconciliations(now: Date, limit: Int) async throws -> [ReconcileTarget] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, carrier_sid, sent_at, reconcile_lookups, segments FROM message INDEXED BY message_reconcile
                WHERE state = 'sent' AND reconcile_at IS NOT NULL AND reconcile_at <= ? ORDER BY reconcile_at LIMIT ?
                """, arguments: [now.millis, limit])
            return try rows.map { row in
                let id: Int64 = row[0]
                let segments: Int = row[4] ?? 1
                // A client-segmented text is asked about part by part, those without a final status.
                var sids: [ReconcileTarget.SID] = []
                if segments > 1 {
                    sids = try Row.fetchAll(db, sql: """
                        SELECT part, carrier_sid, carrier_status FROM message_part
                        WHERE message_id = ? AND part <= ? AND carrier_sid IS NOT NULL ORDER BY part
                        """, arguments: [id, segments]).compactMap { part in
                        let state = MessagePartsRule.Part(number: part[0], carrierStatus: part[2], errorCode: nil).state
                        return state.isFinal ? nil : ReconcileTarget.SID(sid: part[1], part: part[0], parts: segments)
                    }
                }
                if sids.isEmpty, let sid: String = row[1] { sids = [ReconcileTarget.SID(sid: sid)] }
                return ReconcileTarget(messageID: id, sentAt: Date(millis: row[2] ?? now.millis), lookups: row[3], sids: sids)
            }
        }
    }

    public func nextReconciliation() async throws -> Date? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT MIN(reconcile_at) FROM message INDEXED BY message_reconcile WHERE state = 'sent' AND reconcile_at IS NOT NULL
                """).map(Date.init(millis:))
        }
    }

    public func awaitingReconciliation() async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM message INDEXED BY message_reconcile WHERE state = 'sent' AND reconcile_at IS NOT NULL
                """) ?? 0
        }
    }

    public func applyLookups(_ answers: [ReconcileAnswer], now: Date) async throws -> ReconcileReport {
        guard !answers.isEmpty else { return ReconcileReport() }
        return try await timedWrite { [reconcile] db in
            let transitions = MessageTransitions(db, now: now, reconcileAfter: reconcile.after)
            var report = ReconcileReport()
            let byMessage = Dictionary(grouping: answers, by: \.messageID)
            for id in byMessage.keys.sorted() {
                var answered = false
                for item in byMessage[id]! {
                    guard case let .found(status, errorCode, segments) = item.answer else { continue }
                    answered = true
                    let statusReport = StatusReport(messageID: id, sid: item.sid.sid, status: status, errorCode: errorCode, segments: segments,
                                                    part: item.sid.part, parts: item.sid.parts)
                    if case .moved = try Self.apply(statusReport, reason: .reconciled, transitions: transitions) { report.moved += 1 }
                }
                guard let row = try Row.fetchOne(db, sql: "SELECT state, sent_at, reconcile_lookups FROM message WHERE id = ?",
                                                 arguments: [id]),
                      row[0] as String == MessageState.sent.rawValue
                else { continue }
                // No answer at all (a timeout, a 5xx, a 429): asked again soon, not counted as a lookup.
                guard answered || byMessage[id]!.contains(where: { $0.answer == .notFound }) else {
                    try transitions.reconcileLater(id, at: now + ReconcileSchedule.unansweredRetry, lookups: row[2])
                    continue
                }
                let lookups = (row[2] as Int) + 1
                let sentAt = Date(millis: row[1] ?? now.millis)
                if let next = reconcile.next(sentAt: sentAt, lookups: lookups, now: now) {
                    try transitions.reconcileLater(id, at: next, lookups: lookups)
                    report.rescheduled += 1
                } else {
                    let hours = Int((now.timeIntervalSince(sentAt) / 3600).rounded())
                    if try transitions.endReconciliation(id, lookups: lookups, detail: """
                        the carrier still calls it sent after \(lookups) lookups over \(hours) h; reconciliation ended, it stays sent
                        """) {
                        report.gaveUp.append(id)
                    }
                }
            }
            return report
        }
    }
}
