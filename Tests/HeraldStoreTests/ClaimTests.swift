import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Synchronization
import Testing

@Suite("Store: claims")
struct ClaimTests {
    @Test(arguments: Backend.allCases) func claimsByPriorityThenNotBefore(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let t = fixture.now
        let bulkOld = try await fixture.queued(kind: "bulk", at: t - 50)
        let conversational = try await fixture.queued(kind: "conversational", at: t - 10)
        let bulkNew = try await fixture.queued(kind: "bulk", at: t - 40)
        let system = try await fixture.systemReply(at: t - 5)
        let journey = try await fixture.queued(kind: "journey", at: t - 30)
        let optIn = try await fixture.queued(kind: "opt_in_request", to: "+16125550777", at: t - 20)
        let conversationalOld = try await fixture.queued(kind: "conversational", at: t - 60)

        let claimed = try await fixture.claimAll(at: t)
        #expect(claimed.map(\.id) == [system, conversationalOld, conversational, optIn, journey, bulkOld, bulkNew])
    }

    @Test("a text held back to its rate slot goes before texts not yet judged, even ones due before its slot", arguments: Backend.allCases)
    func pacedTextsBeforeNewOnes(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let t = fixture.now
        let paced = try await fixture.queued(kind: "bulk", at: t - 100)
        let held = try await fixture.db.claimDue(now: t - 100, limit: 10) { _ in .hold(until: t - 5, reason: .senderRate) }
        #expect(held.claimed.isEmpty)
        let newer = [try await fixture.queued(kind: "bulk", at: t - 50), try await fixture.queued(kind: "bulk", at: t - 40)]
        // A claim with room for one takes the paced text; oldest first would have taken a new one.
        let seen = Mutex<[Int64]>([])
        let first = try await fixture.db.claimDue(now: t, limit: 1) { candidate in
            seen.withLock { $0.append(candidate.id) }
            return .send
        }.claimed
        #expect(first.map(\.id) == [paced])
        #expect(seen.withLock { $0 } == [paced], "the claim looked at a new text although its limit was taken")
        #expect(try await fixture.claimAll(at: t).map(\.id) == newer)
    }

    @Test(arguments: Backend.allCases) func respectsTheLimitAndLeavesTheRestQueued(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let bulk = try await fixture.queued(kind: "bulk")
        let system = try await fixture.systemReply()
        let other = try await fixture.queued(kind: "bulk")
        let claimed = try await fixture.claimAll(limit: 1)
        #expect(claimed.map(\.id) == [system])
        #expect(try await fixture.state(bulk) == .queued)
        #expect(try await fixture.state(other) == .queued)
        #expect(try await fixture.claimAll(limit: 5).map(\.id) == [bulk, other])
        #expect(try await fixture.claimAll().isEmpty)
    }

    @Test(arguments: Backend.allCases) func notYetDueIsNotClaimed(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let later = try await fixture.produce(sendAt: "1800000060")
        try await fixture.ingest()
        #expect(try await fixture.claimAll(at: fixture.now + 59.999).isEmpty)
        #expect(try await fixture.claimAll(at: fixture.now + 60).map(\.id) == [later])
    }

    @Test(arguments: Backend.allCases) func claimWritesSendingAttemptsAndAnEvent(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let id = try await fixture.produce(sender: StoreFixture.carol, body: "Body text", expiresAt: "1800003600")
        try await fixture.ingest()
        let before = try #require(try await fixture.db.message(id))
        let claimAt = fixture.now + 2
        let claimed = try await fixture.claimAll(at: claimAt)
        #expect(claimed.count == 1)
        let message = try #require(claimed.first)
        #expect(message.id == id)
        #expect(message.orgID == "acme")
        #expect(message.userID == "carol")
        #expect(message.from == StoreFixture.carol)
        #expect(message.to == StoreFixture.contact)
        #expect(message.body == "Body text")
        #expect(message.segments == 1)
        #expect(message.attempts == 1)
        #expect(message.carrierKey == before.carrierKey)
        #expect(message.expiresAt == fixture.now + 3600)
        let after = try #require(try await fixture.db.message(id))
        #expect(after.state == .sending)
        #expect(after.attempts == 1)
        #expect(after.heldReason == nil)
        let events = try await fixture.db.events(of: id)
        #expect(events.map(\.to) == [.queued, .sending])
        #expect(events.last?.from == .queued)
        #expect(events.last?.at == claimAt)
    }

    @Test(arguments: Backend.allCases) func holdVerdictSchedulesWithReasonAndEvent(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let id = try await fixture.queued(kind: "bulk")
        let until = fixture.now + 90
        let seen = Mutex<[ClaimCandidate]>([])
        let claimed = try await fixture.db.claimDue(now: fixture.now, limit: 10) { candidate in
            seen.withLock { $0.append(candidate) }
            return .hold(until: until, reason: .orgWindow)
        }.claimed
        #expect(claimed.isEmpty)
        let candidates = seen.withLock { $0 }
        #expect(candidates.count == 1)
        #expect(candidates.first?.id == id)
        #expect(candidates.first?.kind == .bulk)
        #expect(candidates.first?.from == StoreFixture.alice)
        #expect(candidates.first?.orgID == "acme")

        let held = try #require(try await fixture.db.message(id))
        #expect(held.state == .scheduled)
        #expect(held.notBefore == until)
        #expect(held.heldReason == .orgWindow)
        #expect(held.attempts == 0)
        let events = try await fixture.db.events(of: id)
        #expect(events.count == 2)
        #expect(events.last?.from == .queued)
        #expect(events.last?.to == .scheduled)
        #expect(events.last?.reason == "org_window")
        #expect(events.last?.detail?.contains(Timestamp.format(until)) == true)

        // Not due before `until`; then claimed, with its held reason shown to the rules.
        #expect(try await fixture.claimAll(at: until - 1).isEmpty)
        let reason = Mutex<HeldReason?>(nil)
        let later = try await fixture.db.claimDue(now: until, limit: 10) { candidate in
            reason.withLock { $0 = candidate.heldReason }
            return .send
        }.claimed
        #expect(later.map(\.id) == [id])
        #expect(reason.withLock { $0 } == .orgWindow)
        #expect(try await fixture.db.message(id)?.heldReason == nil)
        #expect(try await fixture.db.events(of: id).last?.from == .scheduled)
    }

    /// A producer's opt-in request ingested at `madeAt`, due at `due` (its `send_at`) or at once.
    private static func optInRequest(_ fixture: StoreFixture, to number: String, madeAt: Date, due: Date? = nil) async throws -> Int64 {
        let id = try await fixture.produce(to: number, kind: "opt_in_request", sendAt: due.map { "\(Int($0.timeIntervalSince1970))" })
        let report = try await fixture.ingest(at: madeAt)
        #expect(report.rejected.isEmpty, "\(report.rejected)")
        return id
    }

    @Test("two opt-in requests made 12 hours apart but due at once: the claim sends one and holds the other 12 hours after it",
          arguments: Backend.allCases)
    func optInRequestsGoTwelveHoursApart(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let t = fixture.now
        let number = "+16125550777"
        // Made 12.5 hours apart, so ingest allows both; the first held until t (a window holds one
        // the same way), so both are due at t.
        let first = try await Self.optInRequest(fixture, to: number, madeAt: t - 13 * 3600, due: t)
        let second = try await Self.optInRequest(fixture, to: number, madeAt: t - 1800)
        #expect(try await fixture.claimAll(at: t).map(\.id) == [second])
        let held = try #require(try await fixture.db.message(first))
        #expect(held.state == .scheduled)
        #expect(held.heldReason == .optinSpacing)
        #expect(held.notBefore == t + 12 * 3600)
        #expect(try await fixture.claimAll(at: t + 12 * 3600 - 1).isEmpty)
        #expect(try await fixture.claimAll(at: t + 12 * 3600).map(\.id) == [first])
    }

    @Test("an opt-in request waits 12 hours after the last one went out, in flight or accepted, not after it was made",
          arguments: Backend.allCases)
    func optInRequestSpacedFromTheLastSent(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let t = fixture.now
        let number = "+16125550777"
        let first = try await Self.optInRequest(fixture, to: number, madeAt: t - 13 * 3600, due: t - 3600)
        let second = try await Self.optInRequest(fixture, to: number, madeAt: t - 1800, due: t)
        // The first goes an hour before the second is due; in flight, it already counts.
        let posted = try await fixture.claimAll(at: t - 3600)
        #expect(posted.map(\.id) == [first])
        #expect(try await fixture.claimAll(at: t).isEmpty)
        #expect(try #require(try await fixture.db.message(second)).notBefore == t + 11 * 3600)
        // Accepted by the carrier 10 minutes later: its acceptance is when it went.
        try await fixture.db.record(posted.map {
            DispatchRecord(message: $0, decision: .sent(sid: "SM\($0.id)", carrierStatus: "queued", segments: 1), httpStatus: 201)
        }, now: t - 3000)
        #expect(try await fixture.claimAll(at: t + 11 * 3600).isEmpty)
        let held = try #require(try await fixture.db.message(second))
        #expect(held.heldReason == .optinSpacing)
        #expect(held.notBefore == t - 3000 + 12 * 3600)
        #expect(try await fixture.claimAll(at: t - 3000 + 12 * 3600).map(\.id) == [second])
    }

    @Test("each recipient's consent as it stands at the claim, for several recipients in one claim", arguments: Backend.allCases)
    func consentReadAtClaimForEachRecipient(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let staying = "+16125550124", leaving = "+16125550125"
        for number in [staying, leaving] { try await fixture.optIn(number) }
        let toStaying = [try await fixture.queued(kind: "conversational", to: "(612) 555-0124"),
                         try await fixture.queued(kind: "conversational", to: "(612) 555-0124")]
        let toLeaving = try await fixture.queued(kind: "conversational", to: "(612) 555-0125")
        let toContact = try await fixture.queued(kind: "conversational")
        // Opted out after ingest, as a STOP between ingest and claim would leave it.
        try await fixture.optOut(leaving)
        let claimed = try await fixture.claimAll()
        #expect(claimed.map(\.id) == toStaying + [toContact])
        #expect(try await fixture.state(toLeaving) == .canceled)
        #expect(try await fixture.db.events(of: toLeaving).last?.detail?.contains("opted_out") == true)
    }

    @Test(arguments: Backend.allCases) func expiredCandidatesExpireWithoutAskingTheRules(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let expiring = try await fixture.queued(expiresAt: "1800000030")
        let fresh = try await fixture.queued()
        let asked = Mutex<[Int64]>([])
        let claimed = try await fixture.db.claimDue(now: fixture.now + 30, limit: 10) { candidate in
            asked.withLock { $0.append(candidate.id) }
            return .send
        }.claimed
        #expect(claimed.map(\.id) == [fresh])
        #expect(asked.withLock { $0 } == [fresh])
        #expect(try await fixture.state(expiring) == .expired)
        let events = try await fixture.db.events(of: expiring)
        #expect(events.last?.from == .queued)
        #expect(events.last?.to == .expired)
        #expect(events.last?.reason == "expired")
        let view = try #require(try await fixture.row("SELECT display_status FROM messages WHERE id = ?", [expiring]))
        #expect(view["display_status"] as String == "failed")
    }

    @Test(arguments: Backend.allCases) func nextDueIsTheEarliestClaimable(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        #expect(try await fixture.db.nextDue() == nil)
        try await fixture.produce(kind: "bulk", sendAt: "1800000500")
        try await fixture.produce(kind: "journey", sendAt: "1800000300")
        try await fixture.ingest()
        try await fixture.systemReply(at: fixture.now + 900)
        #expect(try await fixture.db.nextDue() == fixture.now + 300)
        // Claimed (sending) and final messages are not due.
        let soon = try await fixture.queued(at: fixture.now + 100)
        #expect(try await fixture.db.nextDue() == fixture.now + 100)
        #expect(try await fixture.claimAll(at: fixture.now + 100).map(\.id) == [soon])
        #expect(try await fixture.db.nextDue() == fixture.now + 300)
    }

    @Test(arguments: Backend.allCases) func reconcileRequeuesSendingWithAnEvent(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let a = try await fixture.queued()
        let b = try await fixture.queued()
        let idle = try await fixture.produce(sendAt: "1800009999")
        try await fixture.ingest()
        let first = try await fixture.claimAll()
        #expect(first.map(\.id) == [a, b])

        let restart = fixture.now + 120
        #expect(try await fixture.db.reconcileSending(now: restart, unknownOutcome: .repost) == 2)
        for id in [a, b] {
            let message = try #require(try await fixture.db.message(id))
            #expect(message.state == .queued)
            #expect(message.notBefore == restart)
            #expect(message.attempts == 1)
            let event = try #require(try await fixture.db.events(of: id).last)
            #expect(event.from == .sending)
            #expect(event.to == .queued)
            #expect(event.reason == "reconcile")
            #expect(event.at == restart)
        }
        #expect(try await fixture.state(idle) == .scheduled)
        #expect(try await fixture.db.reconcileSending(now: restart, unknownOutcome: .repost) == 0)

        // Re-posted with the same carrier key; attempts keep counting.
        let again = try await fixture.claimAll(at: restart)
        #expect(again.map(\.id) == [a, b])
        #expect(again.map(\.carrierKey) == first.map(\.carrierKey))
        #expect(again.map(\.attempts) == [2, 2])
    }

    @Test("an unknown outcome is looked up before any post again, even when another hold came between; once a post answers, it is not", arguments: Backend.allCases)
    func unknownOutcomeOutlivesOtherHolds(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let id = try await fixture.queued()
        #expect(try await fixture.claimAll().map(\.lookUpFirst) == [false])
        // Killed with the post in flight: found sending at start, to be looked up.
        let restart = fixture.now + 60
        #expect(try await fixture.db.reconcileSending(now: restart, unknownOutcome: .lookup(delay: 1)) == 1)
        #expect(try await fixture.db.message(id)?.heldReason == .outcomeLookup)
        // Due, but its sender is throttled: held again, for the throttle.
        let throttledUntil = restart + 5
        let held = try await fixture.db.claimDue(now: restart + 1, limit: 10) { _ in .hold(until: throttledUntil, reason: .carrierBackoff) }.claimed
        #expect(held.isEmpty)
        #expect(try await fixture.db.message(id)?.heldReason == .carrierBackoff)
        // The carrier may still have the first post: it is asked before this one goes.
        let again = try await fixture.claimAll(at: throttledUntil)
        #expect(again.map(\.id) == [id])
        #expect(again.map(\.lookUpFirst) == [true])

        // Not found, posted, and that post answered 503: nothing is unknown any more.
        let retry = throttledUntil + 1
        try await fixture.db.record([DispatchRecord(message: again[0], decision: .retry(notBefore: retry, reason: .retryBackoff, detail: "HTTP 503"),
                                                    httpStatus: 503)], now: throttledUntil)
        let window = retry + 10
        #expect(try await fixture.db.claimDue(now: retry, limit: 10) { _ in .hold(until: window, reason: .orgWindow) }.claimed.isEmpty)
        let third = try await fixture.claimAll(at: window)
        #expect(third.map(\.id) == [id])
        #expect(third.map(\.lookUpFirst) == [false])
    }
}

@Suite("Store: a text waiting behind its conversation")
struct ConversationWaitClaimTests {
    @Test("a text the policy makes wait is left as it is, still due, and gets no event", arguments: Backend.allCases)
    func waitIsNoTransition(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let chat = try await fixture.produce(body: "hi")
        let other = try await fixture.produce(to: "+16125550124", body: "to someone else")
        try await fixture.optIn("+16125550124")
        try await fixture.ingest()
        let busy = StoreFixture.contact
        let first = try await fixture.db.claimDue(now: fixture.now, limit: 10) { candidate in
            candidate.to == busy ? .wait : .send
        }.claimed
        #expect(first.map(\.id) == [other], "the other conversation is not held back")
        #expect(try await fixture.state(chat) == .queued)
        let events = try await fixture.db.events(of: chat)
        #expect(events.count == 1, "waiting its turn is not a transition: \(events)")
        #expect(try await fixture.db.claimDue(now: fixture.now, limit: 10) { _ in .send }.claimed.map(\.id) == [chat], "still due")
    }
}
