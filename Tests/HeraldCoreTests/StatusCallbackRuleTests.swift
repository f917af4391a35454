import HeraldCore
import Testing

/// The carrier's reports only move a message forward.
@Suite("Status callback rule")
struct StatusCallbackRuleTests {
    typealias Rule = StatusCallbackRule

    @Test("carrier statuses map to states; unknown ones to none", arguments: [
        ("accepted", MessageState.sent), ("queued", .sent), ("sending", .sent), ("sent", .sent), ("scheduled", .sent),
        ("delivered", .delivered), ("read", .delivered), ("DELIVERED", .delivered),
        ("undelivered", .undelivered), ("failed", .failed), ("canceled", .failed),
    ])
    func statusMap(status: String, state: MessageState) {
        #expect(Rule.state(ofCarrierStatus: status) == state)
    }

    @Test func unknownStatus() {
        #expect(Rule.state(ofCarrierStatus: "receiving") == nil)
        #expect(Rule.state(ofCarrierStatus: "") == nil)
    }

    @Test("forward only: final stays final, a repeat changes nothing, a late sent never overwrites delivered")
    func forwardOnly() {
        for final in MessageState.allCases where final.isFinal {
            #expect(Rule.decide(current: final, posted: true, reported: .sent) == .ignore(why: "already final"))
        }
        #expect(Rule.decide(current: .sent, posted: true, reported: .sent) == .ignore(why: "duplicate"))
        #expect(Rule.decide(current: .sent, posted: true, reported: .delivered) == .move(to: .delivered, confirmsPost: false))
        #expect(Rule.decide(current: .sent, posted: true, reported: .failed) == .move(to: .failed, confirmsPost: false))
    }

    @Test("a report for a message still sending or waiting to be posted again confirms the post")
    func confirmsPost() {
        #expect(Rule.decide(current: .sending, posted: true, reported: .sent) == .move(to: .sent, confirmsPost: true))
        #expect(Rule.decide(current: .sending, posted: true, reported: .delivered) == .move(to: .delivered, confirmsPost: true))
        #expect(Rule.decide(current: .scheduled, posted: true, reported: .sent) == .move(to: .sent, confirmsPost: true))
        #expect(Rule.decide(current: .queued, posted: true, reported: .undelivered) == .move(to: .undelivered, confirmsPost: true))
    }

    @Test("a report for a message never posted is not believed")
    func neverPosted() {
        #expect(Rule.decide(current: .queued, posted: false, reported: .delivered) == .ignore(why: "never posted"))
        #expect(Rule.decide(current: .awaitingConsent, posted: true, reported: .sent) == .ignore(why: "never posted"))
    }

    @Test("every move the rule makes is one the state machine allows")
    func movesAreTransitions() {
        for current in MessageState.allCases {
            for reported in [MessageState.sent, .delivered, .undelivered, .failed] {
                if case let .move(target, _) = Rule.decide(current: current, posted: true, reported: reported) {
                    #expect(current.canMove(to: target), "\(current) -> \(target)")
                }
            }
        }
    }

    typealias Parts = MessagePartsRule
    typealias Part = MessagePartsRule.Part

    @Test("parts: sent once all are accepted, delivered once all are, lost as soon as one is")
    func aggregate() {
        #expect(Parts.aggregate([Part(number: 1, carrierStatus: nil, errorCode: nil)], total: 2) == nil)
        #expect(Parts.aggregate([Part(number: 1, carrierStatus: nil, errorCode: nil), Part(number: 2, carrierStatus: "sent", errorCode: nil)],
                                total: 2)?.state == .sent)
        let delivered = Parts.aggregate([Part(number: 1, carrierStatus: "delivered", errorCode: nil),
                                         Part(number: 2, carrierStatus: "delivered", errorCode: nil)], total: 2)
        #expect(delivered?.state == .delivered)
        #expect(delivered?.detail == "all 2 parts delivered")
        let lost = Parts.aggregate([Part(number: 2, carrierStatus: "undelivered", errorCode: 30005)], total: 3)
        #expect(lost?.state == .undelivered)
        #expect(lost?.detail == "part 2 of 3 undelivered")
        #expect(lost?.errorCode == 30005)
    }

    @Test("parts: a stale report for one part says so; the text waits for its other parts")
    func partReports() {
        #expect(Parts.staleReport(.sent, known: Part(number: 1, carrierStatus: "delivered", errorCode: nil), total: 3)
            == .ignore(why: "part 1 of 3 already final"))
        #expect(Parts.staleReport(.sent, known: Part(number: 2, carrierStatus: "sent", errorCode: nil), total: 3)
            == .ignore(why: "part 2 of 3: duplicate"))
        #expect(Parts.staleReport(.sent, known: Part(number: 2, carrierStatus: nil, errorCode: nil), total: 3) == nil,
                "accepted by a post, no report yet: the first report is news")
        #expect(Parts.decide(current: .sending, posted: true, aggregate: nil, part: 1, of: 3, carrierStatus: "delivered")
            == .ignore(why: "part 1 of 3 delivered recorded; the message waits for its other parts"))
        let all = MessagePartsRule.Aggregate(state: .delivered, detail: "all 3 parts delivered")
        #expect(Parts.decide(current: .undelivered, posted: true, aggregate: all, part: 3, of: 3, carrierStatus: "delivered")
            == .ignore(why: "part 3 of 3 recorded; the message is already final"))
        #expect(Parts.decide(current: .sent, posted: true, aggregate: all, part: 3, of: 3, carrierStatus: "delivered")
            == .move(to: .delivered, confirmsPost: false))
    }
}
