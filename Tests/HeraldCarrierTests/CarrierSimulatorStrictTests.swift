import CarrierSimulator
import Foundation
import HeraldCarrier
import HeraldTestSupport
import Logging
import Testing

/// The simulator as strict as a real carrier: no dedupe when the gateway has none, Twilio's single
/// callback attempt, the unknown outcome (taken on, answer lost), lost callbacks, and the message
/// list a client reconciles against. Over real HTTP on loopback, like the rest of the simulator tests.
@Suite("Carrier simulator, strict")
struct CarrierSimulatorStrictTests {
    private static let alice = "+16125550123"
    private static let bob = "+16125550124"
    private static let sender = "+14155550100"
    private static let otherSender = "+14155550101"

    // MARK: Dedupe

    @Test("dedupe off: a re-post with the same key is a second text with its own sid and its own callbacks")
    func dedupeOff() async throws {
        try await withWebhookReceiver { receiver in
            let configuration = SimulatorConfiguration(callbackDelay: .milliseconds(10), dedupe: false)
            try await CarrierSimulator.withRunning(configuration) { sim in
                let client = try SimClient(sim)
                defer { client.shutdown() }
                let callbackURL = receiver.url("/status")
                let first = await client.postMessage(to: Self.alice, body: "twice", key: "key-1", statusCallback: callbackURL)
                let second = await client.postMessage(to: Self.alice, body: "twice", key: "key-1", statusCallback: callbackURL)
                #expect(first.status == 201)
                #expect(second.status == 201)
                let firstSID = try #require(first.json?["sid"] as? String)
                let secondSID = try #require(second.json?["sid"] as? String)
                #expect(firstSID != secondSID)
                #expect(sim.messages().map(\.sid) == [firstSID, secondSID])

                let callbacks = try await receiver.waitForPosts(count: 4)
                #expect(Set(callbacks.compactMap { $0.field("MessageSid") }) == [firstSID, secondSID])

                let stats = sim.stats()
                #expect(stats.accepted == 2)
                #expect(stats.duplicates.isEmpty)
                #expect(stats.duplicateRequests == 0)
                #expect(stats.acceptedMoreThanOnce.byIdempotencyKey.texts == 1)
                #expect(stats.acceptedMoreThanOnce.byIdempotencyKey.extraAcceptances == 1)
                #expect(stats.acceptedMoreThanOnce.byIdempotencyKey.keys == ["key-1": 1])
                #expect(stats.acceptedMoreThanOnce.byBody.texts == 1)
                #expect(stats.acceptedMoreThanOnce.byBody.extraAcceptances == 1)

                let overHTTP = try #require(await client.control("GET", "/stats").json)
                let repeats = try #require(overHTTP["accepted_more_than_once"] as? [String: Any])
                let byKey = try #require(repeats["by_idempotency_key"] as? [String: Any])
                #expect(byKey["texts"] as? Int == 1)
                #expect(byKey["extra_acceptances"] as? Int == 1)
                #expect(byKey["keys"] as? [String: Int] == ["key-1": 1])
                let byBody = try #require(repeats["by_body"] as? [String: Any])
                #expect(byBody["texts"] as? Int == 1)
                #expect(byBody["extra_acceptances"] as? Int == 1)
            }
        }
    }

    @Test("dedupe on: a repeated key is answered from the first acceptance, and only a repeated body counts as a second text")
    func dedupeOnCountsWhatHappened() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            let first = await client.postMessage(to: Self.alice, body: "same words", key: "a")
            let repeated = await client.postMessage(to: Self.alice, body: "same words", key: "a")
            let sameBodyNewKey = await client.postMessage(to: Self.alice, body: "same words", key: "b")
            let sameBodyThirdTime = await client.postMessage(to: Self.alice, body: "same words")
            let otherRecipient = await client.postMessage(to: Self.bob, body: "same words", key: "c")
            #expect([first, repeated, sameBodyNewKey, sameBodyThirdTime, otherRecipient].allSatisfy { $0.status == 201 })
            #expect(repeated.json?["sid"] as? String == first.json?["sid"] as? String)

            let stats = sim.stats()
            #expect(stats.accepted == 4)
            #expect(stats.duplicates == ["a": 1])
            #expect(stats.acceptedMoreThanOnce.byIdempotencyKey == SimulatorStats.KeyRepeats())
            #expect(stats.acceptedMoreThanOnce.byBody.texts == 1, "one text (to alice) taken on more than once")
            #expect(stats.acceptedMoreThanOnce.byBody.extraAcceptances == 2, "taken on three times")
        }
    }

    // MARK: Callback attempts

    @Test("callback attempts 1, as Twilio: a refused callback is given up at once, not retried")
    func singleCallbackAttempt() async throws {
        try await withWebhookReceiver { receiver in
            var silent = Logger(label: "test.carrier-sim")
            silent.logLevel = .critical
            let configuration = SimulatorConfiguration(callbackDelay: .milliseconds(10), callbackAttempts: 1)
            try await CarrierSimulator.withRunning(configuration, logger: silent) { sim in
                let client = try SimClient(sim)
                defer { client.shutdown() }
                receiver.answerNext(500)
                #expect(await client.postMessage(to: Self.alice, body: "hi", statusCallback: receiver.url("/status")).status == 201)
                // Both callbacks have been decided once these hold, so no retry can still be on its way.
                try await waitUntil("the simulator to get there") { sim.stats().callbacksFailed == 1 && sim.stats().callbacksSent == 1 }
                #expect(receiver.posts().map { $0.field("MessageStatus") } == ["sent", "delivered"])
            }
        }
    }

    // MARK: Unknown outcome

    @Test("accept_then_drop: the text is taken on and delivered, but the client gets no answer")
    func acceptThenDrop() async throws {
        try await withWebhookReceiver { receiver in
            try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(10))) { sim in
                let client = try SimClient(sim)
                defer { client.shutdown() }
                let armed = await client.control("POST", "/sim/faults", json: #"{"accept_then_drop":{"count":1}}"#)
                #expect(armed.status == 200)
                let shown = try #require(armed.json?["accept_then_drop"] as? [String: Any])
                #expect(shown["count"] as? Int == 1)
                #expect((shown["probability"] as? NSNumber)?.doubleValue == 0)

                let callbackURL = receiver.url("/status?m=7")
                let lost = await client.postMessage(to: Self.alice, body: "did it go?", key: "msg-7", statusCallback: callbackURL)
                guard case let .transportError(code, message, requestSent) = lost.result else {
                    Issue.record("expected the connection to drop, got \(lost.result)")
                    return
                }
                #expect([18, 52, 56].contains(code), "partial file, empty reply or receive error; got \(code) \(message)")
                #expect(requestSent)

                // The carrier has it all the same: it is recorded, and its callbacks come.
                let taken = try #require(sim.messages().first)
                #expect(sim.messages().count == 1)
                #expect(taken.idempotencyKey == "msg-7")
                let callbacks = try await receiver.waitForPosts(count: 2)
                #expect(callbacks.map { $0.field("MessageSid") } == [taken.sid, taken.sid])
                #expect(callbacks.map { $0.field("MessageStatus") } == ["sent", "delivered"])

                // With dedupe on, the re-post with the same key gets the first answer: the same sid.
                let again = await client.postMessage(to: Self.alice, body: "did it go?", key: "msg-7", statusCallback: callbackURL)
                #expect(again.status == 201)
                #expect(again.json?["sid"] as? String == taken.sid)
                let stats = sim.stats()
                #expect(stats.accepted == 1)
                #expect(stats.acceptedThenDropped == 1)
                #expect(stats.faultsInjected == 1)
                #expect(stats.duplicates == ["msg-7": 1])
                #expect(stats.acceptedMoreThanOnce.byBody.extraAcceptances == 0)
                #expect(sim.faults.acceptThenDropNext == 0, "used up")
            }
        }
    }

    @Test("accept_then_drop without dedupe: the blind re-post is a second text, and /stats says so")
    func acceptThenDropWithoutDedupe() async throws {
        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(10), dedupe: false)) { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            sim.acceptThenDropNext(1)
            let lost = await client.postMessage(to: Self.alice, body: "your code is 123456", key: "msg-8")
            #expect(lost.status == nil, "no answer: \(lost.result)")
            let again = await client.postMessage(to: Self.alice, body: "your code is 123456", key: "msg-8")
            #expect(again.status == 201)
            #expect(sim.messages().count == 2)
            let stats = sim.stats()
            #expect(stats.acceptedMoreThanOnce.byBody.texts == 1)
            #expect(stats.acceptedMoreThanOnce.byIdempotencyKey.keys == ["msg-8": 1])
        }
    }

    @Test("accept_then_drop by probability: 1 drops every answer, 0 none; bad values are refused")
    func acceptThenDropProbability() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            #expect(await client.control("POST", "/sim/faults", json: #"{"accept_then_drop":{"probability":1}}"#).status == 200)
            for index in 0..<3 {
                #expect(await client.postMessage(to: Self.alice, body: "drop \(index)").status == nil)
            }
            #expect(sim.messages().count == 3, "every one was taken on")
            #expect(await client.control("POST", "/sim/faults", json: #"{"accept_then_drop":{"probability":0}}"#).status == 200)
            #expect(await client.postMessage(to: Self.alice, body: "kept").status == 201)
            #expect(sim.stats().acceptedThenDropped == 3)

            for bad in [#"{"accept_then_drop":{"probability":1.5}}"#, #"{"accept_then_drop":{}}"#, #"{"accept_then_drop":{"count":-1}}"#] {
                let refused = await client.control("POST", "/sim/faults", json: bad)
                #expect(refused.status == 400, "\(bad)")
            }
            #expect(sim.faults.acceptThenDropProbability == 0)
            #expect(await client.control("DELETE", "/sim/faults").status == 204)
            #expect(sim.faults == FaultPlan())
        }
    }

    // MARK: Lost callbacks

    @Test("lose_callbacks: fraction 1 loses every callback, and the texts still reach their final status")
    func loseAllCallbacks() async throws {
        try await withWebhookReceiver { receiver in
            try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(10))) { sim in
                let client = try SimClient(sim)
                defer { client.shutdown() }
                #expect(await client.control("POST", "/sim/faults", json: #"{"lose_callbacks":{"fraction":1}}"#).status == 200)
                for index in 0..<5 {
                    #expect(await client.postMessage(to: Self.alice, body: "quiet \(index)", statusCallback: receiver.url("/status")).status == 201)
                }
                // Each callback is decided (lost) before it would be sent: once all ten are counted
                // lost, none can still arrive.
                try await waitUntil("the simulator to get there") { sim.stats().callbacksLost == 10 }
                try await waitUntil("the simulator to get there") { sim.messages().allSatisfy { $0.status == "delivered" } }
                #expect(receiver.posts().isEmpty)
                #expect(sim.stats().callbacksSent == 0)
                #expect(await client.control("GET", "/stats").json?["callbacks_lost"] as? Int == 10)
                #expect(await client.control("POST", "/sim/faults", json: #"{"lose_callbacks":{"fraction":-0.1}}"#).status == 400)
            }
        }
    }

    @Test("lose_callbacks: a fraction of one half loses about half of them, the rest arrive")
    func loseHalfOfCallbacks() async throws {
        try await withWebhookReceiver { receiver in
            try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(10))) { sim in
                let client = try SimClient(sim)
                defer { client.shutdown() }
                sim.loseCallbacks(fraction: 0.5)
                let count = 150
                for index in 0..<count {
                    #expect(await client.postMessage(to: Self.alice, body: "maybe \(index)", statusCallback: receiver.url("/status")).status == 201)
                }
                try await waitUntil("the simulator to get there", timeout: .seconds(60)) { sim.stats().callbacksLost + sim.stats().callbacksSent == 2 * count }
                let lost = sim.stats().callbacksLost
                // 300 fair coins: the mean is 150 and the standard deviation under 9, so this
                // range fails about once in 10^15 runs.
                #expect((75...225).contains(lost), "lost \(lost) of \(2 * count)")
                #expect(receiver.posts().count == 2 * count - lost)
            }
        }
    }

    // MARK: The message list

    @Test("GET Messages.json lists newest first in Twilio's page shape, filtered by To, From and DateSent")
    func listFilters() async throws {
        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(10))) { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            let posts = [(Self.alice, Self.sender, "one"), (Self.alice, Self.sender, "two"), (Self.bob, Self.sender, "three"),
                         (Self.alice, Self.otherSender, "four")]
            for (to, from, body) in posts {
                #expect(await client.postMessage(to: to, from: from, body: body).status == 201)
            }
            // Settled, so the two reads of one message below see the same resource.
            try await waitUntil("the simulator to get there") { sim.messages().allSatisfy { $0.status == "delivered" } }

            let all = try await client.list("")
            #expect(all.bodies == ["four", "three", "two", "one"], "newest first")
            #expect(all.json["page"] as? Int == 0)
            #expect(all.json["page_size"] as? Int == 50)
            #expect(all.json["start"] as? Int == 0)
            #expect(all.json["end"] as? Int == 3)
            #expect(all.json["next_page_uri"] is NSNull)
            #expect(all.json["previous_page_uri"] is NSNull)
            let path = "/2010-04-01/Accounts/\(sim.accountSID)/Messages.json"
            #expect(all.json["uri"] as? String == "\(path)?PageSize=50&Page=0")
            #expect(all.json["first_page_uri"] as? String == "\(path)?PageSize=50&Page=0")

            // Each entry is the Message resource, as the single fetch renders it, and nothing Twilio lacks.
            let newest = try #require(all.messages.first)
            let sid = try #require(newest["sid"] as? String)
            for key in ["sid", "to", "from", "body", "status", "date_created", "date_sent", "num_segments", "error_code", "error_message", "direction"] {
                #expect(newest.keys.contains(key), "missing \(key)")
            }
            #expect(newest["direction"] as? String == "outbound-api")
            #expect((newest["date_sent"] as? String)?.hasSuffix("+0000") == true)
            #expect(newest["status_callback"] == nil && newest["idempotency_key"] == nil, "Twilio's resource has neither")
            let fetched = try #require(await client.getMessage(sid: sid).json)
            #expect(NSDictionary(dictionary: fetched).isEqual(to: newest), "the list shows the resource the single fetch shows")

            #expect(try await client.list("To=%2B16125550123").bodies == ["four", "two", "one"])
            #expect(try await client.list("To=%2B16125550123&From=%2B14155550100").bodies == ["two", "one"])
            #expect(try await client.list("From=%2B14155550101").bodies == ["four"])
            #expect(try await client.list("To=%2B16125550199").bodies == [])

            // The days come from the carrier's own date_sent, so a run across midnight UTC still holds.
            let sentAt = try #require(sim.messages().first?.sentAt)
            let day = Self.utcDay(sentAt)
            let dayBefore = Self.utcDay(sentAt - 86_400)
            let dayAfter = Self.utcDay(sentAt + 86_400)
            let lastSent = try #require(sim.messages().compactMap(\.sentAt).max())
            if Self.utcDay(lastSent) == day {
                #expect(try await client.list("DateSent=\(day)").bodies.count == 4)
                #expect(try await client.list("DateSent%3E=\(day)").bodies.count == 4)
                #expect(try await client.list("DateSent%3C=\(day)").bodies.count == 4)
            }
            // Written as Twilio documents it, unencoded: the parameter is `DateSent>` with the date as its value.
            #expect(try await client.list("DateSent>=\(dayBefore)").bodies.count == 4)
            #expect(try await client.list("DateSent>=\(dayAfter)").bodies.isEmpty)
            #expect(try await client.list("DateSent<=\(dayBefore)").bodies.isEmpty)
            #expect(try await client.list("DateSent<=\(dayAfter)").bodies.count == 4)
            #expect(try await client.list("DateSent=\(dayAfter)").bodies.isEmpty)
            #expect(try await client.list("To=%2B16125550123&From=%2B14155550100&DateSent%3E=\(dayBefore)").bodies == ["two", "one"])
            // Instants, as the client libraries send them.
            #expect(try await client.list("DateSent%3E=2000-01-01T00:00:00Z").bodies.count == 4)
            #expect(try await client.list("DateSent%3E=2999-01-01T00:00:00Z").bodies.isEmpty)
        }
    }

    @Test("GET Messages.json pages with PageSize, Page and the PageToken of next_page_uri")
    func listPaging() async throws {
        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(10))) { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            for index in 1...5 {
                #expect(await client.postMessage(to: Self.alice, body: "page \(index)").status == 201)
            }
            let first = try await client.list("To=%2B16125550123&PageSize=2")
            #expect(first.bodies == ["page 5", "page 4"])
            #expect(first.json["page_size"] as? Int == 2)
            #expect(first.json["previous_page_uri"] is NSNull)
            let nextURI = try #require(first.json["next_page_uri"] as? String)
            let fourth = try #require(first.messages.last?["sid"] as? String)
            #expect(nextURI == "/2010-04-01/Accounts/\(sim.accountSID)/Messages.json?To=%2B16125550123&PageSize=2&Page=1&PageToken=PA\(fourth)")

            let second = try await client.list(uri: nextURI)
            #expect(second.bodies == ["page 3", "page 2"])
            #expect(second.json["page"] as? Int == 1)
            #expect(second.json["start"] as? Int == 2)
            #expect(second.json["uri"] as? String == nextURI)
            let third = try await client.list(uri: try #require(second.json["next_page_uri"] as? String))
            #expect(third.bodies == ["page 1"])
            #expect(third.json["next_page_uri"] is NSNull)

            let back = try await client.list(uri: try #require(second.json["previous_page_uri"] as? String))
            #expect(back.bodies == ["page 5", "page 4"])
            #expect(back.json["page"] as? Int == 0)

            // A token keeps its place when newer texts arrive meanwhile; a bare Page is an offset.
            #expect(await client.postMessage(to: Self.alice, body: "page 6").status == 201)
            #expect(try await client.list(uri: nextURI).bodies == ["page 3", "page 2"])
            #expect(try await client.list("PageSize=4&Page=1").bodies == ["page 2", "page 1"])
            #expect(try await client.list("PageSize=1000").bodies.count == 6)
        }
    }

    @Test("GET Messages.json: a text taken on but not yet sent has no date_sent, so a date filter misses it")
    func listQueuedHasNoDateSent() async throws {
        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .seconds(3600))) { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            #expect(await client.postMessage(to: Self.alice, body: "waiting").status == 201)
            let all = try await client.list("To=%2B16125550123")
            #expect(all.bodies == ["waiting"])
            #expect(all.messages.first?["status"] as? String == "queued")
            #expect(all.messages.first?["date_sent"] is NSNull)
            let acceptedAt = try #require(sim.messages().first?.acceptedAt)
            #expect(try await client.list("To=%2B16125550123&DateSent%3E=\(Self.utcDay(acceptedAt - 86_400))").bodies.isEmpty)
        }
    }

    @Test("GET Messages.json refuses bad paging and dates with 400, and strangers with 401")
    func listRefusals() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            let path = "/2010-04-01/Accounts/\(sim.accountSID)/Messages.json"
            for query in ["PageSize=0", "PageSize=1001", "PageSize=ten", "Page=-1", "DateSent=yesterday", "DateSent%3E=2025-02-30",
                          "PageToken=XX123", "PageToken=PASMnotthere"] {
                let refused = await client.perform("GET", "\(path)?\(query)")
                #expect(refused.status == 400, "\(query)")
                #expect(refused.json?["code"] as? Int == 20001, "\(query)")
            }
            #expect(await client.perform("GET", path, auth: .anonymous).status == 401)
            #expect(await client.perform("GET", "/2010-04-01/Accounts/ACother/Messages.json").status == 401)
        }
    }

    // MARK: Helpers

    static func utcDay(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}

/// One page of the message list, decoded.
struct ListPage {
    var json: [String: Any]

    var messages: [[String: Any]] { json["messages"] as? [[String: Any]] ?? [] }
    var bodies: [String] { messages.compactMap { $0["body"] as? String } }
}

extension SimClient {
    /// `GET …/Messages.json?query`, which must answer 200.
    func list(_ query: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> ListPage {
        try await list(uri: "/2010-04-01/Accounts/\(accountSID)/Messages.json" + (query.isEmpty ? "" : "?\(query)"), sourceLocation: sourceLocation)
    }

    /// A page by the URI the carrier gave (`next_page_uri`, …).
    func list(uri: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> ListPage {
        let reply = await perform("GET", uri)
        try #require(reply.status == 200, "GET \(uri): \(reply.result)", sourceLocation: sourceLocation)
        return ListPage(json: try #require(reply.json, sourceLocation: sourceLocation))
    }
}
