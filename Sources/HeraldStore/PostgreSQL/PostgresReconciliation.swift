import Foundation
import HeraldCore
import PostgresNIO

/// Texts still `sent`, looked up by sid (docs/carrier.md, "Reconciliation"), as Reconciliation.swift
/// does for SQLite: the carrier's answer goes through the status callbacks' forward-only rule;
/// when to ask again, or stop asking, is Core's `ReconcileSchedule`.
extension PostgresQueue: ReconcileStore {
    public func prepareReconciliation(now: Date) async throws -> Int {
        try await write { [reconcile] session in
            try await PostgresTransitions(session, now: now, reconcileAfter: reconcile.after).reconcileSoon(spread: reconcile.startSpread)
        }
    }

    public func dueReconciliations(now: Date, limit: Int) async throws -> [ReconcileTarget] {
        try await read { session in
            var targets: [ReconcileTarget] = []
            for row in try await session.rows("""
                SELECT id, carrier_sid, sent_at, reconcile_lookups, segments FROM message
                WHERE state = 'sent' AND reconcile_at IS NOT NULL AND reconcile_at <= \(now.millis) ORDER BY reconcile_at LIMIT \(limit)
                """) {
                let (id, sid, sentAt, lookups, segmentCount) = try row.decode((Int64, String?, Int64?, Int, Int?).self)
                let segments = segmentCount ?? 1
                var sids: [ReconcileTarget.SID] = []
                if segments > 1 {
                    for part in try await session.rows("""
                        SELECT part, carrier_sid, carrier_status FROM message_part
                        WHERE message_id = \(id) AND part <= \(segments) AND carrier_sid IS NOT NULL ORDER BY part
                        """) {
                        let (number, partSID, status) = try part.decode((Int, String, String?).self)
                        let state = MessagePartsRule.Part(number: number, carrierStatus: status, errorCode: nil).state
                        if !state.isFinal { sids.append(ReconcileTarget.SID(sid: partSID, part: number, parts: segments)) }
                    }
                }
                if sids.isEmpty, let sid { sids = [ReconcileTarget.SID(sid: sid)] }
                targets.append(ReconcileTarget(messageID: id, sentAt: Date(millis: sentAt ?? now.millis), lookups: lookups, sids: sids))
            }
            return targets
        }
    }

    public func nextReconciliation() async throws -> Date? {
        try await read { session in
            try await session.value("SELECT MIN(reconcile_at) FROM message WHERE state = 'sent' AND reconcile_at IS NOT NULL", as: Int64.self)
                .map(Date.init(millis:))
        }
    }

    public func awaitingReconciliation() async throws -> Int {
        try await read { session in
            try await session.value("SELECT COUNT(*) FROM message WHERE state = 'sent' AND reconcile_at IS NOT NULL", as: Int.self) ?? 0
        }
    }

    public func applyLookups(_ answers: [ReconcileAnswer], now: Date) async throws -> ReconcileReport {
        guard !answers.isEmpty else { return ReconcileReport() }
        return try await write { [reconcile] session in
            let transitions = PostgresTransitions(session, now: now, reconcileAfter: reconcile.after)
            var report = ReconcileReport()
            let byMessage = Dictionary(grouping: answers, by: \.messageID)
            for id in byMessage.keys.sorted() {
                var answered = false
                for item in byMessage[id]! {
                    guard case let .found(status, errorCode, segments) = item.answer else { continue }
                    answered = true
                    let statusReport = StatusReport(messageID: id, sid: item.sid.sid, status: status, errorCode: errorCode, segments: segments,
                                                    part: item.sid.part, parts: item.sid.parts)
                    if case .moved = try await Self.apply(statusReport, reason: .reconciled, transitions: transitions) { report.moved += 1 }
                }
                guard let row = try await session.rows("SELECT state, sent_at, reconcile_lookups FROM message WHERE id = \(id)").first else { continue }
                let (state, sent, storedLookups) = try row.decode((String, Int64?, Int).self)
                guard state == MessageState.sent.rawValue else { continue }
                // No answer at all (a timeout, a 5xx, a 429): asked again soon, not counted as a lookup.
                guard answered || byMessage[id]!.contains(where: { $0.answer == .notFound }) else {
                    try await transitions.reconcileLater(id, at: now + ReconcileSchedule.unansweredRetry, lookups: storedLookups)
                    continue
                }
                let lookups = storedLookups + 1
                let sentAt = Date(millis: sent ?? now.millis)
                if let next = reconcile.next(sentAt: sentAt, lookups: lookups, now: now) {
                    try await transitions.reconcileLater(id, at: next, lookups: lookups)
                    report.rescheduled += 1
                } else {
                    let hours = Int((now.timeIntervalSince(sentAt) / 3600).rounded())
                    if try await transitions.endReconciliation(id, lookups: lookups, detail: """
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
