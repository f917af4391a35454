import Foundation
import HeraldCore
import PostgresNIO

extension PostgresQueue {
    /// Claims up to `limit` due messages in one transaction, highest priority first and oldest
    /// `not_before` first within a priority; Core's claim rules judge each, as for SQLite
    /// (`QueueDatabase.claimDue`). Candidates are locked `FOR UPDATE SKIP LOCKED` through the
    /// partial index `message_due`: instances claiming at once each get other messages, and none
    /// waits for another's batch. On the claim line, not the pool (`PostgresLine` says why).
    ///
    /// The outcomes in `recording` are written last, unlike SQLite's claim: writing them locks
    /// their message rows and the users' `usage` rows, which every instance's claims and status
    /// callbacks write too, until the commit. Written first, those locks were held through the
    /// whole claim, and under load the status callbacks waiting on them filled the public
    /// instance's pool, stalling its own claims for seconds (docs/instances.md).
    public func claimDue(
        now: Date, limit: Int, recording: [DispatchRecord] = [],
        lookback: @escaping @Sendable (ClaimCandidate) -> TimeInterval? = { _ in nil },
        decide: @escaping @Sendable (ClaimCandidate) -> DispatchVerdict
    ) async throws -> DispatchCommit {
        let scope = claimScope(at: now.millis)
        return try await write(on: claimLine) { [reconcile, instance] session in
            let transitions = PostgresTransitions(session, now: now, reconcileAfter: reconcile.after)
            var claim = PostgresClaimBatch(transitions: transitions, now: now, instance: instance?.id)
            for priority in MessageKind.priorities where !scope.isEmpty {
                for paced in [true, false] where claim.examined < limit {
                    for (candidate, message) in try await claim.due(priority: priority, paced: paced, limit: limit - claim.examined, scope: scope) {
                        try await claim.judge(candidate, message, lookback: lookback(candidate), decide: decide)
                    }
                }
            }
            let claimed = try await claim.finish()
            return DispatchCommit(recorded: try await Self.write(recording, with: transitions), claimed: claimed)
        }
    }

    /// The earliest `not_before` among messages this instance may claim: one index probe per priority.
    public func nextDue() async throws -> Date? {
        let scope = claimScope(at: Date().millis)
        guard !scope.isEmpty else { return nil }
        return try await claimLine.transaction(self) { session in
            var earliest: Int64?
            for priority in MessageKind.priorities {
                if let value = try await session.value("""
                    SELECT not_before FROM message WHERE state IN ('queued', 'scheduled') AND priority = \(priority)
                        AND \(claimable: scope)
                    ORDER BY not_before LIMIT 1
                    """, as: Int64.self) {
                    earliest = min(earliest ?? value, value)
                }
            }
            return earliest.map(Date.init(millis:))
        }
    }

    /// After a crash, messages left `sending` are an unknown outcome each, which `unknownOutcome`
    /// decides. Returns how many. Sharing the queue, only this instance's own: another's are
    /// recovered once its heartbeat runs out (`recoverOrphanedSending`).
    @discardableResult
    public func reconcileSending(now: Date, unknownOutcome: UnknownOutcomePolicy) async throws -> Int {
        try await write { [instance] session in
            let transitions = PostgresTransitions(session, now: now)
            let owners = SendingOwners.mine(instance?.id)
            guard let (until, reason, detail) = unknownOutcome.placement(now: now, case: "found sending at start") else {
                return try await transitions.requeueSending(
                    of: owners, detail: "unknown outcome: found sending at start; re-posting with the same idempotency key").count
            }
            return try await transitions.holdSending(of: owners, until: until, reason: reason, detail: detail).count
        }
    }
}

extension PostgresQueue {
    /// Due messages of one priority, oldest `not_before` first, locked for this claim (and
    /// skipped by any other). `paced`: those held back to their sender's rate slot, a range of
    /// `message_paced`; else the others, a range of `message_due` (SQLite's `ClaimBatch.due`
    /// says why both). Whether the last post may have reached the carrier is read as SQLite's claim reads it.
    static func dueQuery(priority: Int, paced: Bool, at: Int64, limit: Int, scope: ClaimScope) -> PostgresQuery {
        let columns = """
            SELECT id, org_id, user_id, from_number, to_number, body, kind, segments, held_reason, not_before,
                expires_at, attempts, carrier_key, state, credits_charged, created_at,
                CASE WHEN held_reason = 'outcome_lookup' THEN true WHEN state = 'scheduled' AND attempts > 0 THEN (
                    SELECT reason FROM message_event WHERE message_id = message.id AND from_state = 'sending' ORDER BY id DESC LIMIT 1
                ) IS NOT DISTINCT FROM 'outcome_lookup' ELSE false END
            FROM message
            """
        if paced {
            return """
                \(unescaped: columns)
                WHERE state = 'scheduled' AND held_reason = 'sender_rate' AND priority = \(priority) AND not_before <= \(at)
                    AND \(claimable: scope)
                ORDER BY not_before LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
                """
        }
        return """
            \(unescaped: columns)
            WHERE state IN ('queued', 'scheduled') AND held_reason IS DISTINCT FROM 'sender_rate' AND priority = \(priority)
                AND not_before <= \(at) AND \(claimable: scope)
            ORDER BY not_before LIMIT \(limit)
            FOR UPDATE SKIP LOCKED
            """
    }
}

/// One claim transaction: fetches the facts Core's claim rules need for each due message, asks
/// them, and applies the verdict through the transitions owner (SQLite's `ClaimBatch`, on PostgreSQL).
private struct PostgresClaimBatch {
    let transitions: PostgresTransitions
    let now: Date
    private(set) var examined = 0
    private var picks: [SendingPick] = []
    private var holds: [PostgresTransitions.Hold] = []
    private var claimed: [ClaimedMessage] = []
    /// This claim's picks per (org, number), for frequency caps: not yet written, still counted.
    private var picked: [String: [Date]] = [:]
    private var optInPicks = OptInPicks()
    private var balances: [String: Int?] = [:]
    /// The consent of the recipients of the texts `due` read that need it, read with one query
    /// for all of them (one each was a third of a claim's statements), keyed org␟number.
    private var consents: [String: ConsentState] = [:]
    private var spent: [String: Int] = [:]

    /// Marked on what this claim takes, when the queue is shared.
    let instance: String?

    init(transitions: PostgresTransitions, now: Date, instance: String?) {
        self.transitions = transitions
        self.now = now
        self.instance = instance
    }

    private var session: PostgresSession { transitions.session }

    /// Due messages of one priority (`PostgresQueue.dueQuery`), as Core's rules need them.
    mutating func due(priority: Int, paced: Bool, limit: Int, scope: ClaimScope) async throws -> [(ClaimCandidate, ClaimedMessage)] {
        let rows = try await session.rows(PostgresQueue.dueQuery(priority: priority, paced: paced, at: transitions.at, limit: limit, scope: scope))
        examined += rows.count
        let due = try rows.map { row in
            let (id, org, user, from, to, body, kind, segments, held, notBefore, expires, attempts, key, state, charged, created, lookUp) =
                try row.decode((Int64, String?, String?, String?, String?, String?, String?, Int?, String?, Int64, Int64?, Int, String,
                                String, Int?, Int64, Bool?).self)
            let expiresAt = expires.map(Date.init(millis:))
            let candidate = ClaimCandidate(
                id: id, orgID: org ?? "", userID: user, from: from ?? "", to: to ?? "",
                kind: MessageKind(rawValue: kind ?? "") ?? .bulk, segments: segments ?? 1,
                state: MessageState(rawValue: state) ?? .queued, heldReason: held.flatMap(HeldReason.init(rawValue:)),
                notBefore: Date(millis: notBefore), expiresAt: expiresAt, creditsCharged: charged
            )
            let message = ClaimedMessage(
                id: id, orgID: candidate.orgID, userID: user ?? "", from: candidate.from, to: candidate.to, body: body ?? "",
                segments: candidate.segments, attempts: attempts + 1, carrierKey: key, expiresAt: expiresAt,
                lookUpFirst: lookUp ?? false, postedSince: Date(millis: created)
            )
            return (candidate, message)
        }
        try await readConsent(of: due.map(\.0).filter(ClaimRules.needsConsent))
        return due
    }

    private mutating func readConsent(of candidates: [ClaimCandidate]) async throws {
        // Each recipient asked for once, `unknown` until its row says otherwise.
        var unread: [ClaimCandidate] = []
        for candidate in candidates {
            let recipient = candidate.orgID + "\u{1F}" + candidate.to
            guard consents[recipient] == nil else { continue }
            consents[recipient] = .unknown
            unread.append(candidate)
        }
        guard !unread.isEmpty else { return }
        for row in try await session.rows("""
            SELECT c.org_id, c.number, c.state FROM consent c
            JOIN unnest(\(unread.map(\.orgID))::text[], \(unread.map(\.to))::text[]) AS v(org_id, number)
                ON c.org_id = v.org_id AND c.number = v.number
            """) {
            let (org, number, state) = try row.decode((String, String, String).self)
            consents[org + "\u{1F}" + number] = ConsentState(rawValue: state) ?? .unknown
        }
    }

    mutating func judge(
        _ candidate: ClaimCandidate, _ message: ClaimedMessage, lookback: TimeInterval?, decide: (ClaimCandidate) -> DispatchVerdict
    ) async throws {
        var candidate = candidate
        let recipient = candidate.orgID + "\u{1F}" + candidate.to
        if let lookback {
            candidate.recentSends = try await recentSends(org: candidate.orgID, to: candidate.to, since: now - lookback)
                + (picked[recipient] ?? [])
        }
        if ClaimRules.needsOptInHistory(candidate) {
            let numbers = try await PostgresOptInRequests.contactNumbers(org: candidate.orgID, number: candidate.to, in: session)
            let sent = try await PostgresOptInRequests.lastSent(org: candidate.orgID, user: message.userID, numbers: numbers,
                                                               excluding: candidate.id, in: session)
            candidate.lastOptInRequest = optInPicks.lastRequest(candidate, numbers: numbers, sent: sent)
        }
        let consent = ClaimRules.needsConsent(candidate) ? consents[recipient] ?? .unknown : nil
        let creditsLeft = CreditRule.charge(candidate) > 0 ? try await available(org: candidate.orgID, user: message.userID) : nil
        let id = candidate.id
        switch ClaimRules.decide(candidate, consent: consent, creditsLeft: creditsLeft, now: now, policy: decide) {
        case let .send(charge):
            if charge > 0 { spent[candidate.orgID + "\u{1F}" + message.userID, default: 0] += charge }
            if lookback != nil { picked[recipient, default: []].append(now) }
            if ClaimRules.needsOptInHistory(candidate) { optInPicks.picked(candidate, at: now) }
            picks.append(SendingPick(id: id, from: candidate.state, charged: charge > 0))
            var message = message
            if message.attempts > 1, message.segments > 1 {
                message.acceptedParts = try await PostgresMessageParts.accepted(of: id, in: session)
            }
            claimed.append(message)
        case let .hold(until, reason, detail):
            // Written with the others at `finish`: no later query of this claim reads a held row
            // (each priority's due texts are read once, the paced before the others).
            holds.append(.init(id: id, from: candidate.state, until: until, reason: reason, detail: detail))
        case let .expire(detail):
            try await transitions.end(id, from: candidate.state, to: .expired, reason: .expired, detail: detail)
        case let .awaitConsent(detail):
            try await transitions.awaitConsent(id, from: candidate.state, detail: detail)
        case let .withdraw(reason, detail):
            try await transitions.end(id, from: candidate.state, to: .canceled, reason: reason, detail: detail)
        case .wait:
            break
        }
    }

    /// When the org's held-kind texts to this number went out (frequency caps, docs/windows.md):
    /// from the carrier's acceptance, or from the claim while the post is in flight.
    private func recentSends(org: String, to: String, since: Date) async throws -> [Date] {
        let kinds = MessageKind.allCases.filter(\.isHeldBySendingWindow).map(\.rawValue)
        return try await session.values("""
            SELECT COALESCE(sent_at, updated_at) FROM message
            WHERE to_number = \(to) AND org_id = \(org) AND kind = ANY(\(kinds))
                AND (sent_at > \(since.millis) OR (sent_at IS NULL AND state = 'sending' AND updated_at > \(since.millis)))
            """, as: Int64.self).map(Date.init(millis:))
    }

    /// The user's credits left in this claim (read once, locked until the claim commits, so no
    /// two instances spend the same credit), or nil when the user is not metered.
    private mutating func available(org: String, user: String) async throws -> Int? {
        let key = org + "\u{1F}" + user
        if let known = balances[key] { return known.map { $0 - spent[key, default: 0] } }
        let balance = try await session.value(
            "SELECT credits FROM org_user WHERE org_id = \(org) AND id = \(user) FOR UPDATE", as: Int.self)
        balances[key] = .some(balance)
        return balance.map { $0 - spent[key, default: 0] }
    }

    /// Writes the holds, marks the picks `sending` and spends their credits, in the claim's transaction.
    func finish() async throws -> [ClaimedMessage] {
        try await transitions.hold(holds)
        try await transitions.markSending(picks, by: instance)
        for (key, segments) in spent where segments > 0 {
            let parts = key.split(separator: "\u{1F}", maxSplits: 1).map(String.init)
            try await session.execute("""
                UPDATE org_user SET credits = credits - \(segments) WHERE org_id = \(parts[0]) AND id = \(parts[1]) AND credits IS NOT NULL
                """)
        }
        return claimed
    }
}

extension PostgresQuery.StringInterpolation {
    /// `ClaimScope` as a condition on `message`, every value bound.
    mutating func appendInterpolation(claimable scope: ClaimScope) {
        appendLiteral("(")
        appendInterpolation(scope.everything)
        appendLiteral(" OR from_number = ANY(")
        appendInterpolation(scope.senders)
        appendLiteral(") OR (")
        appendInterpolation(scope.strays)
        appendLiteral("""
             AND (from_number IS NULL OR NOT EXISTS (SELECT 1 FROM phone_number
                WHERE phone_number.e164 = message.from_number AND phone_number.status = 'active'))))
            """)
    }
}
