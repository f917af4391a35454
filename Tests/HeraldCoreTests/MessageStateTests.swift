import Testing

import HeraldCore

@Suite("MessageState")
struct MessageStateTests {
    typealias S = MessageState

    /// Every allowed move: docs/states.md, then the extras the store relies on.
    static let allowed: Set<String> = {
        var moves: [(S, S)] = [
            // queued --claim--> sending; a claim may hold it for later (docs/windows.md: it becomes scheduled).
            (.queued, .sending), (.queued, .scheduled),
            // scheduled --due--> queued, or claimed like queued; held again with a new not_before.
            (.scheduled, .queued), (.scheduled, .sending), (.scheduled, .scheduled),
            // awaiting_consent --YES--> queued | scheduled
            (.awaitingConsent, .queued), (.awaitingConsent, .scheduled),
            // sending --2xx--> sent; --retryable--> scheduled; --permanent--> failed
            (.sending, .sent), (.sending, .scheduled), (.sending, .failed),
            // sent --callback--> delivered | undelivered | failed
            (.sent, .delivered), (.sent, .undelivered), (.sent, .failed),
            // Extra: reconciliation after a crash re-queues a sending message.
            (.sending, .queued),
            // Extra: a status callback overtakes the recording of the POST's own answer.
            (.sending, .delivered), (.sending, .undelivered),
            // Extra: a retry that would land past expires_at expires at once.
            (.sending, .expired),
            // Extra: a claim finds a journey's consent lapsed since ingest; it waits again.
            (.queued, .awaitingConsent), (.scheduled, .awaitingConsent),
            // Extra: reconciliation gives up on a text the carrier still calls sent; it says so in an event.
            (.sent, .sent),
            // Extra: an operator retries a failed, undelivered or expired message.
            (.failed, .queued), (.undelivered, .queued), (.expired, .queued),
        ]
        // Extra: the carrier's report of an earlier post finds the message waiting to be posted again.
        for waiting in [S.queued, .scheduled] {
            for reported in [S.sent, .delivered, .undelivered, .failed] { moves.append((waiting, reported)) }
        }
        // any non-final --operator--> canceled; any held past expires_at --> expired.
        // Not once the message is in the carrier's hands: a POST in flight (sending) or taken (sent).
        for held in [S.queued, .scheduled, .awaitingConsent] {
            moves.append((held, .canceled))
            moves.append((held, .expired))
        }
        return Set(moves.map { "\($0.0.rawValue)->\($0.1.rawValue)" })
    }()

    @Test("canMove matches the state machine", arguments: S.allCases)
    func canMove(from: S) {
        for to in S.allCases {
            let key = "\(from.rawValue)->\(to.rawValue)"
            #expect(from.canMove(to: to) == Self.allowed.contains(key), "\(key)")
        }
    }

    @Test func finalStatesMoveNowhere() {
        let finals = S.allCases.filter(\.isFinal)
        #expect(Set(finals) == [.delivered, .undelivered, .failed, .rejected, .canceled, .expired])
        for state in finals {
            // Only an operator's retry leaves a final state, and only for what the carrier or time refused.
            let exits = S.allCases.filter { state.canMove(to: $0) }
            #expect(exits == (state.isRetryable ? [.queued] : []), "\(state)")
        }
    }

    @Test func everyNonFinalStateCanLeave() {
        for state in S.allCases where !state.isFinal {
            #expect(S.allCases.contains { state.canMove(to: $0) }, "\(state) is a dead end")
        }
        // Nothing goes back into rejected: it is only ever written at ingest.
        #expect(S.allCases.allSatisfy { !$0.canMove(to: .rejected) })
    }

    @Test func claimable() {
        #expect(S.claimable == [.queued, .scheduled])
    }

    @Test("display status as end users see it", arguments: [
        (S.queued, "in queue"), (.scheduled, "in queue"), (.awaitingConsent, "in queue"), (.sending, "in queue"),
        (.sent, "sent"), (.delivered, "delivered"), (.undelivered, "undeliverable"),
        (.failed, "failed"), (.rejected, "failed"), (.expired, "failed"), (.canceled, "failed"),
    ])
    func displayStatus(state: S, shown: String) {
        #expect(state.displayStatus == shown)
    }

    @Test func rawValuesAreTheSQLContract() {
        #expect(S.allCases.map(\.rawValue) == [
            "queued", "scheduled", "awaiting_consent", "sending", "sent", "delivered", "undelivered", "failed",
            "rejected", "canceled", "expired",
        ])
    }
}
