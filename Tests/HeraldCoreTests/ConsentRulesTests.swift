import Foundation
import HeraldCore
import Testing

@Suite("Reply keywords")
struct ReplyKeywordTests {
    @Test("every keyword of docs/consent.md, in any case, padded or punctuated", arguments: [
        ("STOP", ReplyKeyword.optOut), ("stop", .optOut), ("  Stop.  ", .optOut), ("STOP!", .optOut), ("stopall", .optOut),
        ("Unsubscribe", .optOut), ("cancel", .optOut), ("END", .optOut), ("quit", .optOut), ("Revoke", .optOut),
        ("opt out", .optOut), ("OPT   OUT", .optOut), ("optout", .optOut), ("2", .optOut), (" 2 ", .optOut),
        ("YES", .optIn), ("yes!", .optIn), ("Start", .optIn), ("unstop", .optIn), ("SUBSCRIBE", .optIn), ("1", .optIn), ("\t1\n", .optIn),
        ("HELP", .help), ("help?", .help), ("Info", .help),
    ])
    func matches(body: String, keyword: ReplyKeyword) {
        #expect(ReplyKeyword.match(body) == keyword)
    }

    @Test("conversation replies are not keywords", arguments: [
        "", "   ", "stop by at 5", "yes please call me", "12", "STOPP", "no", "helpful", "2 people", "😀", "OPT-OUT now",
    ])
    func nonKeywords(body: String) {
        #expect(ReplyKeyword.match(body) == nil)
    }
}

@Suite("Opt-in request limit")
struct OptInRequestPolicyTests {
    let policy = OptInRequestPolicy()
    let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    @Test("the first request goes")
    func first() {
        #expect(policy.decide(previous: [], consent: .unknown, now: t0) == .allowed)
    }

    @Test("a second within 12 hours is refused with the instant the next may go")
    func spacing() {
        let decision = policy.decide(previous: [t0], consent: .unknown, now: t0 + 11 * 3600)
        #expect(decision == .refused(.tooSoon(next: t0 + 12 * 3600)))
        #expect(policy.decide(previous: [t0], consent: .unknown, now: t0 + 12 * 3600) == .allowed)
    }

    @Test("the fourth is refused for good, however late")
    func limit() {
        let three = [t0, t0 + 13 * 3600, t0 + 26 * 3600]
        #expect(policy.decide(previous: three, consent: .unknown, now: t0 + 365 * 86400) == .refused(.limitReached(sent: 3, limit: 3)))
        #expect(policy.decide(previous: Array(three.prefix(2)), consent: .unknown, now: t0 + 39 * 3600) == .allowed)
    }

    @Test("never to a contact who opted out, nor one already in")
    func consent() {
        #expect(policy.decide(previous: [], consent: .optedOut, now: t0) == .refused(.optedOut))
        #expect(policy.decide(previous: [], consent: .optedIn, now: t0) == .refused(.alreadyOptedIn))
    }

    @Test("refusals say why, and when where a later time helps")
    func wording() {
        let soon = OptInRequestPolicy.Refusal.tooSoon(next: t0)
        #expect(soon.code == "optin_spacing")
        #expect(soon.nextAllowed == t0)
        #expect(soon.description.contains("12 hours"))
        #expect(OptInRequestPolicy.Refusal.limitReached(sent: 3, limit: 3).nextAllowed == nil)
    }
}
