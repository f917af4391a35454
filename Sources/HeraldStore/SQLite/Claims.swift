import Foundation
import GRDB
import HeraldCore

extension QueueDatabase {
    /// Claims up to `limit` due messages in one transaction, highest priority first and oldest
    /// `not_before` first within a priority. Core's claim rules judge each (consent, expiry,
    /// credits, then `decide`, the sending policy); only those they send become `sending`.
    /// - Parameters:
    ///   - recording: POST results to write first, in the same transaction, so that one commit
    ///     (one fsync) serves both halves of the dispatch cycle.
    ///   - lookback: how far back `decide` needs a candidate's `recentSends` (a frequency cap's
    ///     period), or nil, the common case, when no rule counts them and no query is made.
    public func claimDue(
        now: Date, limit: Int, recording: [DispatchRecord] = [],
        lookback: @escaping @Sendable (ClaimCandidate) -> TimeInterval? = { _ in nil },
        decide: @escaping @Sendable (ClaimCandidate) -> DispatchVerdict
    ) async throws -> DispatchCommit {
        try await timedWrite { [reconcile] db in
            let transitions = MessageTransitions(db, now: now, reconcileAfter: reconcile.after)
            let recorded = try Self.write(recording, with: transitions)
            var claim = ClaimBatch(transitions: transitions, now: now)
            for priority in MessageKind.priorities {
                for paced in [true, false] where claim.examined < limit {
                    for (candidate, message) in try claim.due(priority: priority, paced: paced, limit: limit - claim.examined) {
                        try claim.judge(candidate, message, lookback: lookback(candidate), decide: decide)
                    }
                }
            }
            return DispatchCommit(recorded: recorded, claimed: try claim.finish())
        }
    }

    /// The earliest `not_before` among claimable messages, so an idle dispatcher sleeps exactly
    /// until something is due.
    public func nextDue() async throws -> Date? {
        try await pool.read { db in
            var earliest: Int64?
            let statement = try db.cachedStatement(sql: """
                SELECT not_before FROM message INDEXED BY message_due
                WHERE state IN ('queued', 'scheduled') AND priority = ? ORDER BY not_before LIMIT 1
                """)
            for priority in MessageKind.priorities {
                if let value = try Int64.fetchOne(statement, arguments: [priority]) {
                    earliest = min(earliest ?? value, value)
                }
            }
            return earliest.map(Date.init(millis:))
        }
    }

    /// After a crash, messages left `sending` may or may not have reached the carrier: an unknown
    /// outcome each, which `unknownOutcome` decides (look up, hold, or queue again to be re-posted
    /// with the same idempotency key). Returns how many.
    @discardableResult
    public func reconcileSending(now: Date, unknownOutcome: UnknownOutcomePolicy) async throws -> Int {
        try await timedWrite { db in
            let transitions = MessageTransitions(db, now: now)
            guard let (until, reason, detail) = unknownOutcome.placement(now: now, case: "found sending at start") else {
                return try transitions.requeueSending(detail: "unknown outcome: found sending at start; re-posting with the same idempotency key").count
            }
            return try transitions.holdSending(until: until, reason: reason, detail: detail).count
        }
    }
}

/// One claim transaction: fetches the facts Core's claim rules need for each due message, asks
/// them, and applies the verdict through the transitions owner.
private struct ClaimBatch {
    let transitions: MessageTransitions
    let now: Date
    private(set) var examined = 0
    private var history = RecipientHistory()
    private var optInPicks = OptInPicks()
    private var credits = CreditBook()
    private var picks: [SendingPick] = []
    private var claimed: [ClaimedMessage] = []

    init(transitions: MessageTransitions, now: Date) {
        self.transitions = transitions
        self.now = now
    }

    private var db: Database { transitions.db }

    /// Due messages of one priority, oldest `not_before` first: with `paced`, those held back to
    /// their sender's rate slot (`message_paced`); else all others (`message_due`). A claim takes
    /// the paced ones first. They were judged already and their slots are the sender's line; a
    /// text not yet judged only joins the end of that line, whenever it is looked at. Oldest first
    /// over both, a flood of new texts (a 10,000-row insert, a broadcast) came before every slot
    /// after its arrival, and while an instance worked through it its senders sent nothing: one
    /// sender taken over from a dead instance sent nothing for 20 to 65 s (SharedQueueTests).
    ///
    /// A text whose last post may have reached the carrier is looked up before it is posted again.
    /// Its `held_reason` says so (`outcome_lookup`) only until something else holds it at a claim
    /// (a throttled or paused sender, a window, credits), which writes its own reason: then the
    /// way its last post ended, the last event leaving `sending`, still says so. Only retries
    /// (attempts > 0) still `scheduled` are asked: a CASE, unlike AND, runs the subquery for them alone.
    mutating func due(priority: Int, paced: Bool, limit: Int) throws -> [(ClaimCandidate, ClaimedMessage)] {
        let select = try db.cachedStatement(sql: paced ? Self.pacedQuery : Self.dueQuery)
        var due: [(ClaimCandidate, ClaimedMessage)] = []
        // Columns by position, read in place: this runs for every claimed message.
        try select.forEachRow(priority, transitions.at, limit) { row in
            let expiresAt = row.optionalInt64(10).map(Date.init(millis:))
            let candidate = ClaimCandidate(
                id: row.int64(0), orgID: row.string(1), userID: row.text(2), from: row.string(3), to: row.string(4),
                kind: MessageKind(rawValue: row.string(6)) ?? .bulk, segments: row.optionalInt(7) ?? 1,
                state: MessageState(rawValue: row.string(13)) ?? .queued,
                heldReason: row.text(8).flatMap(HeldReason.init(rawValue:)),
                notBefore: Date(millis: row.int64(9)), expiresAt: expiresAt, creditsCharged: row.optionalInt(14)
            )
            let message = ClaimedMessage(
                id: candidate.id, orgID: candidate.orgID, userID: candidate.userID ?? "", from: candidate.from, to: candidate.to,
                body: row.string(5), segments: candidate.segments, attempts: row.int(11) + 1, carrierKey: row.string(12),
                expiresAt: expiresAt, lookUpFirst: row.int64(16) != 0, postedSince: Date(millis: row.int64(15))
            )
            due.append((candidate, message))
        }
        examined += due.count
        return due
    }

    private static let dueColumns = """
        SELECT id, org_id, user_id, from_number, to_number, body, kind, segments, held_reason, not_before,
            expires_at, attempts, carrier_key, state, credits_charged, created_at,
            CASE WHEN held_reason IS 'outcome_lookup' THEN 1 WHEN state = 'scheduled' AND attempts > 0 THEN (
                SELECT reason FROM message_event WHERE message_id = message.id AND from_state = 'sending' ORDER BY id DESC LIMIT 1
            ) IS 'outcome_lookup' ELSE 0 END
        """
    private static let pacedQuery = """
        \(dueColumns)
        FROM message INDEXED BY message_paced
        WHERE state = 'scheduled' AND held_reason = 'sender_rate' AND priority = ? AND not_before <= ?
        ORDER BY not_before LIMIT ?
        """
    private static let dueQuery = """
        \(dueColumns)
        FROM message INDEXED BY message_due
        WHERE state IN ('queued', 'scheduled') AND held_reason IS NOT 'sender_rate' AND priority = ? AND not_before <= ?
        ORDER BY not_before LIMIT ?
        """

    /// Fetches the facts, asks Core's claim rules, applies the verdict.
    mutating func judge(
        _ candidate: ClaimCandidate, _ message: ClaimedMessage, lookback: TimeInterval?, decide: (ClaimCandidate) -> DispatchVerdict
    ) throws {
        var candidate = candidate
        if let lookback {
            candidate.recentSends = try history.sends(org: candidate.orgID, to: candidate.to, since: now - lookback, in: db)
        }
        if ClaimRules.needsOptInHistory(candidate) {
            let numbers = try OptInRequests.contactNumbers(org: candidate.orgID, number: candidate.to, in: db)
            let sent = try OptInRequests.lastSent(org: candidate.orgID, user: message.userID, numbers: numbers, excluding: candidate.id, in: db)
            candidate.lastOptInRequest = optInPicks.lastRequest(candidate, numbers: numbers, sent: sent)
        }
        let consent = ClaimRules.needsConsent(candidate) ? try ConsentLedger.current(org: candidate.orgID, number: candidate.to, in: db) : nil
        let creditsLeft = CreditRule.charge(candidate) > 0 ? try credits.available(org: candidate.orgID, user: message.userID, in: db) : nil
        let id = candidate.id
        switch ClaimRules.decide(candidate, consent: consent, creditsLeft: creditsLeft, now: now, policy: decide) {
        case let .send(charge):
            if charge > 0 { credits.charge(org: candidate.orgID, user: message.userID, segments: charge) }
            if lookback != nil { history.picked(org: candidate.orgID, to: candidate.to, at: now) }
            if ClaimRules.needsOptInHistory(candidate) { optInPicks.picked(candidate, at: now) }
            picks.append(SendingPick(id: id, from: candidate.state, charged: charge > 0))
            var message = message
            if message.attempts > 1, message.segments > 1 {
                message.acceptedParts = try MessageParts.accepted(of: id, in: db)
            }
            claimed.append(message)
        case let .hold(until, reason, detail):
            try transitions.hold(id, from: candidate.state, until: until, reason: reason, detail: detail)
        case let .expire(detail):
            try transitions.end(id, from: candidate.state, to: .expired, reason: .expired, detail: detail)
        case let .awaitConsent(detail):
            try transitions.awaitConsent(id, from: candidate.state, detail: detail)
        case let .withdraw(reason, detail):
            try transitions.end(id, from: candidate.state, to: .canceled, reason: reason, detail: detail)
        case .wait:
            break
        }
    }

    /// Marks the picks `sending` and spends their credits, in the claim's transaction.
    func finish() throws -> [ClaimedMessage] {
        try transitions.markSending(picks)
        try credits.write(in: db)
        return claimed
    }
}
