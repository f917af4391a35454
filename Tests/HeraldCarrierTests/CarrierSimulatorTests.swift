import CarrierSimulator
import Foundation
import HeraldCarrier
import HeraldTestSupport
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The simulator over real HTTP on loopback: libcurl (CurlMulti) as the client, a small
/// Hummingbird server in the test as the webhook receiver.
@Suite("Carrier simulator")
struct CarrierSimulatorTests {
    // MARK: Messages

    @Test("accepts a message and posts signed sent and delivered callbacks")
    func acceptsAndCallsBack() async throws {
        try await withWebhookReceiver { receiver in
            try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(20))) { sim in
                let client = try SimClient(sim)
                defer { client.shutdown() }
                let callbackURL = receiver.url("/status?org=demo")

                let result = await client.postMessage(to: "+16125550123", from: "+14155550100", body: "Hello from Herald", key: "msg-1", statusCallback: callbackURL)
                #expect(result.status == 201)
                let json = try #require(result.json)
                let sid = try #require(json["sid"] as? String)
                #expect(sid.hasPrefix("SM") && sid.count == 34)
                #expect(json["status"] as? String == "queued")
                #expect(json["to"] as? String == "+16125550123")
                #expect(json["from"] as? String == "+14155550100")
                #expect(json["body"] as? String == "Hello from Herald")
                #expect(json["num_segments"] as? String == "1")
                #expect(json["error_code"] is NSNull)
                #expect(json["error_message"] is NSNull)
                #expect(json["account_sid"] as? String == "ACsimulator")
                #expect((json["date_created"] as? String)?.hasSuffix("+0000") == true)

                let callbacks = try await receiver.waitForPosts(count: 2)
                #expect(callbacks.map { $0.field("MessageStatus") } == ["sent", "delivered"])
                let verifier = WebhookSignature(authToken: sim.authToken)
                for callback in callbacks {
                    #expect(callback.pathAndQuery == "/status?org=demo")
                    #expect(verifier.isValid(signature: callback.signature, url: callbackURL, parameters: callback.fields))
                    #expect(callback.field("MessageSid") == sid)
                    #expect(callback.field("SmsSid") == sid)
                    #expect(callback.field("AccountSid") == "ACsimulator")
                    #expect(callback.field("To") == "+16125550123")
                    #expect(callback.field("From") == "+14155550100")
                    #expect(callback.field("NumSegments") == "1")
                    #expect(callback.field("ApiVersion") == "2010-04-01")
                    #expect(callback.field("ErrorCode") == nil)
                }
                // A forged copy must not verify: the receiver side of docs/carrier.md depends on it.
                var forged = callbacks[1].fields
                forged[forged.firstIndex { $0.0 == "MessageStatus" }!].1 = "failed"
                #expect(!verifier.isValid(signature: callbacks[1].signature, url: callbackURL, parameters: forged))

                let fetched = await client.getMessage(sid: sid)
                #expect(fetched.status == 200)
                #expect(fetched.json?["status"] as? String == "delivered")
                #expect(sim.message(sid: sid)?.status == "delivered")
                try await waitUntil("both callbacks sent") { sim.stats().callbacksSent == 2 }
                let stats = sim.stats()
                #expect(stats.requests == 1)
                #expect(stats.accepted == 1)
                #expect(stats.callbacksFailed == 0)
            }
        }
    }

    @Test("counts segments like the carrier: GSM-7 and UCS-2")
    func segments() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            let long = await client.postMessage(to: "+16125550123", body: String(repeating: "a", count: 161))
            #expect(long.json?["num_segments"] as? String == "2")
            let curly = await client.postMessage(to: "+16125550123", body: String(repeating: "’", count: 71))
            #expect(curly.json?["num_segments"] as? String == "2")
            #expect(sim.messages().map(\.numSegments) == [2, 2])
        }
    }

    @Test("a repeated Idempotency-Key gets the original answer and no second callback")
    func deduplicates() async throws {
        try await withWebhookReceiver { receiver in
            try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(10))) { sim in
                let client = try SimClient(sim)
                defer { client.shutdown() }
                let callbackURL = receiver.url("/status")
                let first = await client.postMessage(to: "+16125550123", body: "once", key: "key-A", statusCallback: callbackURL)
                #expect(first.status == 201)
                _ = try await receiver.waitForPosts(count: 2)

                let again = await client.postMessage(to: "+16125550123", body: "once", key: "key-A", statusCallback: callbackURL)
                #expect(again.status == 201)
                #expect(again.body == first.body, "the original response, byte for byte")

                // Racing repeats of a fresh key still produce exactly one message.
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<20 {
                        group.addTask { _ = await client.postMessage(to: "+16125550124", body: "race", key: "key-B") }
                    }
                }
                // A later message's callbacks, through the same dispatcher: once both are in, a
                // callback the repeat had scheduled (due earlier) would be in too.
                let sentinel = await client.postMessage(to: "+16125550125", body: "after", key: "key-C", statusCallback: receiver.url("/sentinel"))
                #expect(sentinel.status == 201)
                try await waitUntil("the later message's two callbacks") { receiver.posts().filter { $0.pathAndQuery == "/sentinel" }.count == 2 }
                #expect(receiver.posts().filter { $0.pathAndQuery == "/status" }.count == 2)
                #expect(receiver.posts().count == 4)
                let stats = sim.stats()
                #expect(stats.accepted == 3)
                #expect(stats.duplicates == ["key-A": 1, "key-B": 19])
                #expect(stats.duplicateRequests == 20)
                #expect(stats.requests == 23)
                #expect(sim.messages().filter { $0.idempotencyKey == "key-B" }.count == 1)
            }
        }
    }

    @Test("wrong credentials or account get 401 with error 20003")
    func authentication() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            let wrongToken = await client.postMessage(to: "+16125550123", body: "hi", auth: .basic(user: sim.accountSID, password: "wrong"))
            #expect(wrongToken.status == 401)
            #expect(wrongToken.json?["code"] as? Int == 20003)
            #expect(wrongToken.json?["status"] as? Int == 401)
            let noAuth = await client.postMessage(to: "+16125550123", body: "hi", auth: .anonymous)
            #expect(noAuth.status == 401)
            let otherAccount = await client.perform(
                "POST", "/2010-04-01/Accounts/ACother/Messages.json",
                form: [("To", "+16125550123"), ("From", "+14155550100"), ("Body", "hi")]
            )
            #expect(otherAccount.status == 401)
            let fetch = await client.perform("GET", "/2010-04-01/Accounts/\(sim.accountSID)/Messages/SMnope.json", auth: .anonymous)
            #expect(fetch.status == 401)
            #expect(sim.stats().requests == 0)
            #expect(sim.stats().accepted == 0)
        }
    }

    @Test("missing or malformed fields get Twilio's 400 codes")
    func validation() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            let path = "/2010-04-01/Accounts/\(sim.accountSID)/Messages.json"
            let noTo = await client.perform("POST", path, form: [("From", "+14155550100"), ("Body", "hi")])
            #expect(noTo.status == 400)
            #expect(noTo.json?["code"] as? Int == 21604)
            let noBody = await client.perform("POST", path, form: [("To", "+16125550123"), ("From", "+14155550100")])
            #expect(noBody.json?["code"] as? Int == 21602)
            let noFrom = await client.perform("POST", path, form: [("To", "+16125550123"), ("Body", "hi")])
            #expect(noFrom.json?["code"] as? Int == 21603)
            let badTo = await client.postMessage(to: "612-555-0123", body: "hi")
            #expect(badTo.status == 400)
            #expect(badTo.json?["code"] as? Int == 21211)
            let tooLong = await client.postMessage(to: "+16125550123", body: String(repeating: "x", count: 1601))
            #expect(tooLong.json?["code"] as? Int == 21617)
            let unknown = await client.getMessage(sid: "SM00000000000000000000000000000000")
            #expect(unknown.status == 404)
            #expect(unknown.json?["code"] as? Int == 20404)
            #expect(sim.stats().accepted == 0)
        }
    }

    // MARK: Faults

    @Test("fail_next answers the next N POSTs with the status and keeps no idempotency key")
    func failNext() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            let set = await client.control("POST", "/sim/faults", json: #"{"fail_next":{"count":2,"status":503}}"#)
            #expect(set.status == 200)

            let first = await client.postMessage(to: "+16125550123", body: "retry me", key: "k1")
            let second = await client.postMessage(to: "+16125550123", body: "retry me", key: "k1")
            let third = await client.postMessage(to: "+16125550123", body: "retry me", key: "k1")
            #expect(first.status == 503)
            #expect(second.status == 503)
            #expect(first.json?["code"] as? Int == 20503)
            #expect(third.status == 201, "the key was not recorded while faulted, so the retry is accepted")
            let stats = sim.stats()
            #expect(stats.faultsInjected == 2)
            #expect(stats.accepted == 1)
            #expect(stats.duplicateRequests == 0)
            #expect(stats.requests == 3)
        }
    }

    @Test("throttle_next answers 429, error 20429 and Retry-After")
    func throttleNext() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            sim.throttleNext(1, retryAfterSeconds: 7)
            let throttled = await client.postMessage(to: "+16125550123", body: "hi")
            #expect(throttled.status == 429)
            #expect(throttled.json?["code"] as? Int == 20429)
            #expect(throttled.result.header("Retry-After") == "7")
            #expect(await client.postMessage(to: "+16125550123", body: "hi").status == 201)
        }
    }

    @Test("hang_next holds the request past the client's timeout")
    func hangNext() async throws {
        let started = ContinuousClock.now
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim, totalTimeout: .milliseconds(400))
            defer { client.shutdown() }
            // Armed in-process: a control POST through this deliberately impatient client could
            // itself time out on a loaded machine.
            sim.hangNext(1, for: .seconds(600))
            let hung = await client.postMessage(to: "+16125550123", body: "hi", key: "hang-1")
            guard case let .transportError(code, _, requestSent) = hung.result else {
                Issue.record("expected a timeout, got \(hung.result)")
                return
            }
            #expect(code == 28, "CURLE_OPERATION_TIMEDOUT")
            #expect(requestSent)
            // The retry goes through a patient client: only the first post was meant to time out.
            let patient = try SimClient(sim)
            defer { patient.shutdown() }
            #expect(await patient.postMessage(to: "+16125550123", body: "hi", key: "hang-1").status == 201)
            #expect(sim.stats().faultsInjected == 1)
        }
        // Shutdown cut the hang short instead of waiting it out (its hang is set far longer than this bound).
        #expect(ContinuousClock.now - started < .seconds(120))
    }

    @Test("drop_next breaks the connection without a valid response")
    func dropNext() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            sim.dropNext(1)
            let dropped = await client.postMessage(to: "+16125550123", body: "hi")
            guard case let .transportError(code, message, requestSent) = dropped.result else {
                Issue.record("expected a transport error, got \(dropped.result)")
                return
            }
            #expect([18, 52, 56].contains(code), "partial file, empty reply or receive error; got \(code) \(message)")
            #expect(requestSent)
            #expect(await client.postMessage(to: "+16125550123", body: "hi").status == 201)
            #expect(sim.stats().faultsInjected == 1)
            #expect(sim.stats().accepted == 1)
        }
    }

    @Test("error_for refuses one destination with its code")
    func errorFor() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            let set = await client.control(
                "POST", "/sim/faults",
                json: #"{"error_for":{"+16125550199":{"status":400,"code":21610,"message":"Attempt to send to unsubscribed recipient"}}}"#
            )
            #expect(set.status == 200)
            let refused = await client.postMessage(to: "+16125550199", body: "hi", key: "opted-out")
            #expect(refused.status == 400)
            #expect(refused.json?["code"] as? Int == 21610)
            #expect(refused.json?["message"] as? String == "Attempt to send to unsubscribed recipient")
            #expect(await client.postMessage(to: "+16125550123", body: "hi").status == 201)
            #expect(sim.stats().accepted == 1)
            #expect(sim.stats().faultsInjected == 1)
        }
    }

    @Test("deliver_error_for accepts, then reports undelivered with the error code")
    func deliverErrorFor() async throws {
        try await withWebhookReceiver { receiver in
            try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(10))) { sim in
                let client = try SimClient(sim)
                defer { client.shutdown() }
                let set = await client.control(
                    "POST", "/sim/faults", json: #"{"deliver_error_for":{"+16125550177":{"status":"undelivered","code":30003}}}"#
                )
                #expect(set.status == 200)
                let callbackURL = receiver.url("/status")
                let accepted = await client.postMessage(to: "+16125550177", body: "hi", statusCallback: callbackURL)
                #expect(accepted.status == 201)
                let sid = try #require(accepted.json?["sid"] as? String)
                let callbacks = try await receiver.waitForPosts(count: 2)
                #expect(callbacks.map { $0.field("MessageStatus") } == ["sent", "undelivered"])
                #expect(callbacks[0].field("ErrorCode") == nil)
                #expect(callbacks[1].field("ErrorCode") == "30003")
                let verifier = WebhookSignature(authToken: sim.authToken)
                #expect(verifier.isValid(signature: callbacks[1].signature, url: callbackURL, parameters: callbacks[1].fields))
                let fetched = await client.getMessage(sid: sid)
                #expect(fetched.json?["status"] as? String == "undelivered")
                #expect(fetched.json?["error_code"] as? Int == 30003)
                #expect(sim.stats().accepted == 1)
            }
        }
    }

    @Test("latency_ms delays answers; DELETE /sim/faults clears every fault")
    func latencyAndClear() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            _ = await client.control("POST", "/sim/faults", json: #"{"latency_ms":1000,"fail_next":{"count":5}}"#)
            #expect(sim.faults.failNext == 5)
            let clock = ContinuousClock()
            let slow = await clock.measure {
                #expect(await client.postMessage(to: "+16125550123", body: "hi").status == 503)
            }
            #expect(slow >= .milliseconds(1000))

            #expect(await client.control("DELETE", "/sim/faults").status == 204)
            #expect(sim.faults == FaultPlan())
            let fast = await clock.measure {
                #expect(await client.postMessage(to: "+16125550123", body: "hi").status == 201)
            }
            // Relative, not absolute: a loaded machine is slow, but not a second slow on loopback.
            #expect(fast < slow)
        }
    }

    @Test("bad fault JSON is refused and changes nothing")
    func badFaults() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            sim.failNext(1)
            let bad = await client.control("POST", "/sim/faults", json: #"{"throttle_next":{"count":1},"fail_next":{"count":-1}}"#)
            #expect(bad.status == 400)
            let garbage = await client.control("POST", "/sim/faults", json: "not json")
            #expect(garbage.status == 400)
            #expect(sim.faults.failNext == 1)
            #expect(sim.faults.throttleNext == 0)
        }
    }

    @Test("several count-based faults are used up one per POST: drop, hang, throttle, fail")
    func faultOrder() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            _ = await client.control("POST", "/sim/faults", json: #"{"fail_next":{"count":1,"status":500},"throttle_next":{"count":1,"retry_after":2}}"#)
            #expect(await client.postMessage(to: "+16125550123", body: "hi").status == 429)
            #expect(await client.postMessage(to: "+16125550123", body: "hi").status == 500)
            #expect(await client.postMessage(to: "+16125550123", body: "hi").status == 201)
        }
    }

    // MARK: Numbers

    @Test("numbers: search, provision, exhaust, release")
    func numbers() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            let account = "/2010-04-01/Accounts/\(sim.accountSID)"

            let search = await client.perform("GET", "\(account)/AvailablePhoneNumbers/US/Local.json?AreaCode=212")
            #expect(search.status == 200)
            let offered = try #require(search.json?["available_phone_numbers"] as? [[String: Any]])
            let numbers = offered.compactMap { $0["phone_number"] as? String }
            #expect(numbers.count == 5)
            #expect(numbers.allSatisfy { $0.hasPrefix("+1212") && $0.count == 12 })
            #expect(offered.first?["iso_country"] as? String == "US")
            let again = await client.perform("GET", "\(account)/AvailablePhoneNumbers/US/Local.json?AreaCode=212")
            #expect(again.body == search.body, "deterministic")
            let canada = await client.perform("GET", "\(account)/AvailablePhoneNumbers/CA/Local.json?AreaCode=604")
            #expect((canada.json?["available_phone_numbers"] as? [[String: Any]])?.first?["iso_country"] as? String == "CA")
            #expect(await client.perform("GET", "\(account)/AvailablePhoneNumbers/GB/Local.json").status == 404)

            let bought = await client.perform(
                "POST", "\(account)/IncomingPhoneNumbers.json",
                form: [("PhoneNumber", numbers[0]), ("SmsUrl", "http://127.0.0.1:9/sms"), ("StatusCallback", "http://127.0.0.1:9/status")]
            )
            #expect(bought.status == 201)
            let numberSID = try #require(bought.json?["sid"] as? String)
            #expect(numberSID.hasPrefix("PN") && numberSID.count == 34)
            #expect(bought.json?["phone_number"] as? String == numbers[0])
            #expect(bought.json?["sms_url"] as? String == "http://127.0.0.1:9/sms")
            #expect(sim.provisionedNumbers().map(\.phoneNumber) == [numbers[0]])

            let remaining = await client.perform("GET", "\(account)/AvailablePhoneNumbers/US/Local.json?AreaCode=212")
            #expect((remaining.json?["available_phone_numbers"] as? [Any])?.count == 4)
            let twice = await client.perform("POST", "\(account)/IncomingPhoneNumbers.json", form: [("PhoneNumber", numbers[0])])
            #expect(twice.status == 400)
            #expect(twice.json?["code"] as? Int == 21422)
            let invented = await client.perform("POST", "\(account)/IncomingPhoneNumbers.json", form: [("PhoneNumber", "+12129998888")])
            #expect(invented.status == 400)

            _ = await client.control("POST", "/sim/faults", json: #"{"exhausted_area_codes":["212"]}"#)
            let exhausted = await client.perform("GET", "\(account)/AvailablePhoneNumbers/US/Local.json?AreaCode=212")
            #expect(exhausted.status == 200)
            #expect((exhausted.json?["available_phone_numbers"] as? [Any])?.isEmpty == true)
            let notForSale = await client.perform("POST", "\(account)/IncomingPhoneNumbers.json", form: [("PhoneNumber", numbers[1])])
            #expect(notForSale.status == 400)

            let released = await client.perform("DELETE", "\(account)/IncomingPhoneNumbers/\(numberSID).json")
            #expect(released.status == 204)
            #expect(sim.provisionedNumbers().isEmpty)
            #expect(await client.perform("DELETE", "\(account)/IncomingPhoneNumbers/\(numberSID).json").status == 404)
            #expect(await client.perform("GET", "\(account)/AvailablePhoneNumbers/US/Local.json?AreaCode=212", auth: .anonymous).status == 401)
        }
    }

    // MARK: Inbound

    @Test("inbound injection posts a signed form to the number's SmsUrl and relays the answer")
    func inboundToSmsURL() async throws {
        try await withWebhookReceiver { receiver in
            try await CarrierSimulator.withRunning { sim in
                let client = try SimClient(sim)
                defer { client.shutdown() }
                let account = "/2010-04-01/Accounts/\(sim.accountSID)"
                let smsURL = receiver.url("/sms")
                let bought = await client.perform(
                    "POST", "\(account)/IncomingPhoneNumbers.json", form: [("PhoneNumber", "+16125550100"), ("SmsUrl", smsURL)]
                )
                #expect(bought.status == 201)

                let injected = await client.control("POST", "/sim/inbound", json: #"{"from":"+16125550123","to":"+16125550100","body":"STOP"}"#)
                #expect(injected.status == 200)
                #expect(String(decoding: injected.body, as: UTF8.self) == "<Response/>")
                let posts = try await receiver.waitForPosts(count: 1)
                let inbound = posts[0]
                #expect(inbound.pathAndQuery == "/sms")
                #expect(inbound.field("From") == "+16125550123")
                #expect(inbound.field("To") == "+16125550100")
                #expect(inbound.field("Body") == "STOP")
                #expect(inbound.field("NumMedia") == "0")
                #expect(inbound.field("AccountSid") == sim.accountSID)
                #expect(inbound.field("ApiVersion") == "2010-04-01")
                let sid = try #require(inbound.field("MessageSid"))
                #expect(sid.hasPrefix("SM") && sid.count == 34)
                #expect(injected.result.header("X-Sim-Message-Sid") == sid)
                #expect(WebhookSignature(authToken: sim.authToken).isValid(signature: inbound.signature, url: smsURL, parameters: inbound.fields))

                // The webhook's status comes back as is, so a test can see a 403 from a bad signature check.
                receiver.answerNext(403)
                let refused = await client.control("POST", "/sim/inbound", json: #"{"from":"+16125550123","to":"+16125550100","body":"hi"}"#)
                #expect(refused.status == 403)
                #expect(sim.stats().inboundPosted == 2)
            }
        }
    }

    @Test("inbound injection in process falls back to the configured inbound URL")
    func inboundToConfiguredURL() async throws {
        try await withWebhookReceiver { receiver in
            let inboundURL = receiver.url("/webhooks/inbound")
            try await CarrierSimulator.withRunning(SimulatorConfiguration(inboundURL: inboundURL)) { sim in
                let delivery = try await sim.injectInbound(from: "+16125550123", to: "+16125550111", body: "Hi there")
                #expect(delivery.status == 200)
                #expect(delivery.webhookURL == inboundURL)
                let posts = try await receiver.waitForPosts(count: 1)
                #expect(posts[0].field("Body") == "Hi there")
                #expect(posts[0].field("MessageSid") == delivery.messageSID)
                #expect(WebhookSignature(authToken: sim.authToken).isValid(signature: posts[0].signature, url: inboundURL, parameters: posts[0].fields))
            }
        }
        try await CarrierSimulator.withRunning { sim in
            await #expect(throws: InboundInjectionError.self) {
                try await sim.injectInbound(from: "+16125550123", to: "+16125550111", body: "nobody listens")
            }
            let client = try SimClient(sim)
            defer { client.shutdown() }
            let unrouted = await client.control("POST", "/sim/inbound", json: #"{"from":"+16125550123","to":"+16125550111","body":"x"}"#)
            #expect(unrouted.status == 404)
        }
    }

    // MARK: Callback delivery

    @Test("a failing callback is retried; one that never succeeds is counted as failed")
    func callbackRetries() async throws {
        try await withWebhookReceiver { receiver in
            let configuration = SimulatorConfiguration(callbackDelay: .milliseconds(10), callbackAttempts: 3)
            // The failures below are the point of the test; their warnings would only be noise.
            var silent = Logger(label: "test.carrier-sim")
            silent.logLevel = .critical
            try await CarrierSimulator.withRunning(configuration, logger: silent) { sim in
                let client = try SimClient(sim)
                defer { client.shutdown() }
                receiver.answerNext(500)
                #expect(await client.postMessage(to: "+16125550123", body: "hi", statusCallback: receiver.url("/status")).status == 201)
                let posts = try await receiver.waitForPosts(count: 3)
                #expect(posts.map { $0.field("MessageStatus") } == ["sent", "sent", "delivered"])
                try await waitUntil("both callbacks sent") { sim.stats().callbacksSent == 2 }

                // Nothing listens on the discard port, so every attempt fails to connect.
                #expect(await client.postMessage(to: "+16125550124", body: "hi", statusCallback: "http://127.0.0.1:9/status").status == 201)
                try await waitUntil("both callbacks given up", timeout: .seconds(30)) { sim.stats().callbacksFailed == 2 }
                #expect(sim.messages().last?.status == "delivered", "the message's life goes on even when no one hears of it")
            }
        }
    }

    // MARK: Audits

    @Test("/stats and /sim/messages report over HTTP")
    func audits() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try SimClient(sim)
            defer { client.shutdown() }
            _ = await client.postMessage(to: "+16125550123", body: "one", key: "a")
            _ = await client.postMessage(to: "+16125550123", body: "one", key: "a")
            sim.failNext(1)
            _ = await client.postMessage(to: "+16125550124", body: "two", key: "b")
            _ = await client.postMessage(to: "+16125550124", body: "two", key: "b")

            let stats = await client.control("GET", "/stats")
            #expect(stats.status == 200)
            let json = try #require(stats.json)
            #expect(json["requests"] as? Int == 4)
            #expect(json["accepted"] as? Int == 2)
            #expect(json["duplicates"] as? [String: Int] == ["a": 1])
            #expect(json["duplicate_requests"] as? Int == 1)
            #expect(json["faults_injected"] as? Int == 1)
            #expect(json["callbacks_sent"] as? Int == 0)
            #expect(json["callbacks_failed"] as? Int == 0)

            let audit = await client.control("GET", "/sim/messages")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(audit.body)) as? [[String: Any]])
            #expect(rows.map { $0["idempotency_key"] as? String } == ["a", "b"])
            #expect(rows.map { $0["body"] as? String } == ["one", "two"])
            #expect(rows.allSatisfy { ($0["sid"] as? String)?.hasPrefix("SM") == true && $0["num_segments"] as? Int == 1 })
            #expect(sim.messages().map(\.idempotencyKey) == ["a", "b"])
            #expect(await client.control("GET", "/health").status == 200)
        }
    }

    @Test("takes a burst of concurrent POSTs without losing or doubling any")
    func burst() async throws {
        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(10))) { sim in
            let client = try SimClient(sim, maxInFlight: 64)
            defer { client.shutdown() }
            let count = 2000
            let clock = ContinuousClock()
            let elapsed = await clock.measure {
                await withTaskGroup(of: Int?.self) { group in
                    for index in 0..<count {
                        group.addTask { await client.postMessage(to: "+1612555\(String(format: "%04d", index))", body: "burst \(index)", key: "burst-\(index)").status }
                    }
                    for await status in group {
                        #expect(status == 201)
                    }
                }
            }
            let messages = sim.messages()
            #expect(messages.count == count)
            #expect(Set(messages.map(\.sid)).count == count)
            #expect(sim.stats().accepted == count)
            try await waitUntil("every message delivered", timeout: .seconds(60)) { sim.messages().allSatisfy { $0.status == "delivered" } }
            let rate = Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            print("carrier simulator burst: \(count) messages in \(elapsed), \(Int(rate))/s")
        }
    }
}

// MARK: - Helpers

struct SimReply: Sendable {
    var result: HTTPResult

    var status: Int? {
        if case let .response(status, _, _) = result { return status }
        return nil
    }

    var body: [UInt8] {
        if case let .response(_, _, body) = result { return body }
        return []
    }

    var json: [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
    }
}

/// Talks to a running simulator the way heraldd does: libcurl, Basic auth, form bodies.
struct SimClient: Sendable {
    let http: CurlMulti
    let baseURL: String
    let accountSID: String
    let authToken: String

    init(_ sim: RunningSimulator, maxInFlight: Int = 16, totalTimeout: Duration = .seconds(10)) throws {
        http = try CurlMulti(maxInFlight: maxInFlight, connectTimeout: .seconds(2), totalTimeout: totalTimeout)
        baseURL = sim.baseURL
        accountSID = sim.accountSID
        authToken = sim.authToken
    }

    func shutdown() { http.shutdown() }

    enum Credentials {
        case account
        case anonymous
        case basic(user: String, password: String)
    }

    func perform(
        _ method: String, _ path: String, form: [(String, String)]? = nil,
        headers: [(String, String)] = [], auth: Credentials = .account
    ) async -> SimReply {
        var allHeaders = headers
        var body: [UInt8] = []
        if let form {
            allHeaders.append(("Content-Type", "application/x-www-form-urlencoded"))
            body = Array(FormEncoding.encode(form).utf8)
        }
        let basicAuth: (user: String, password: String)? = switch auth {
        case .account: (accountSID, authToken)
        case .anonymous: nil
        case let .basic(user, password): (user, password)
        }
        let request = HeraldCarrier.HTTPRequest(method: method, url: baseURL + path, headers: allHeaders, body: body, basicAuth: basicAuth)
        return SimReply(result: await http.perform(request))
    }

    func postMessage(
        to: String, from: String = "+14155550100", body: String, key: String? = nil, statusCallback: String? = nil,
        auth: Credentials = .account
    ) async -> SimReply {
        var form = [("To", to), ("From", from), ("Body", body)]
        if let statusCallback { form.append(("StatusCallback", statusCallback)) }
        let headers = key.map { [("Idempotency-Key", $0)] } ?? []
        return await perform("POST", "/2010-04-01/Accounts/\(accountSID)/Messages.json", form: form, headers: headers, auth: auth)
    }

    func getMessage(sid: String) async -> SimReply {
        await perform("GET", "/2010-04-01/Accounts/\(accountSID)/Messages/\(sid).json")
    }

    /// The simulator's own control endpoints take JSON and no credentials.
    func control(_ method: String, _ path: String, json: String? = nil) async -> SimReply {
        let request = HeraldCarrier.HTTPRequest(
            method: method,
            url: baseURL + path,
            headers: json == nil ? [] : [("Content-Type", "application/json")],
            body: Array((json ?? "").utf8)
        )
        return SimReply(result: await http.perform(request))
    }
}

/// One POST the webhook receiver took.
struct WebhookPost: Sendable {
    var pathAndQuery: String
    var signature: String?
    var fields: [(String, String)]

    func field(_ name: String) -> String? {
        fields.first { $0.0 == name }?.1
    }
}

/// A tiny webhook endpoint standing in for heraldd: records every POST and answers 200 with an
/// empty TwiML document, or whatever status a test queued with `answerNext`.
final class WebhookReceiver: Sendable {
    private struct Log {
        var posts: [WebhookPost] = []
        var queuedStatuses: [Int] = []
    }

    private let log = Mutex(Log())
    let port: Int

    init(port: Int) {
        self.port = port
    }

    func url(_ pathAndQuery: String) -> String {
        "http://127.0.0.1:\(port)\(pathAndQuery)"
    }

    func answerNext(_ status: Int) {
        log.withLock { $0.queuedStatuses.append(status) }
    }

    func posts() -> [WebhookPost] {
        log.withLock { $0.posts }
    }

    fileprivate func record(_ post: WebhookPost) -> Int {
        log.withLock { log in
            log.posts.append(post)
            return log.queuedStatuses.isEmpty ? 200 : log.queuedStatuses.removeFirst()
        }
    }

    func waitForPosts(count: Int, timeout: Duration = .seconds(20)) async throws -> [WebhookPost] {
        try await waitUntil("\(count) webhook posts (have \(posts().count))", timeout: timeout) { self.posts().count >= count }
        return posts()
    }
}

func withWebhookReceiver<T: Sendable>(_ body: (WebhookReceiver) async throws -> T) async throws -> T {
    let receiverBox = Mutex<WebhookReceiver?>(nil)
    let router = Router()
    router.post("**") { request, _ -> Response in
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let fields = FormEncoding.decode(String(buffer: buffer))
        let pathAndQuery = request.uri.query.map { "\(request.uri.path)?\($0)" } ?? request.uri.path
        let signature = request.headers[HTTPField.Name("X-Twilio-Signature")!]
        let status = receiverBox.withLock { $0 }?.record(WebhookPost(pathAndQuery: pathAndQuery, signature: signature, fields: fields)) ?? 500
        return Response(
            status: .init(code: status),
            headers: [.contentType: "text/xml"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: "<Response/>"))
        )
    }
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "test.webhook-receiver")
    logger.logLevel = .warning
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        },
        logger: logger
    )
    let group = ServiceGroup(services: [app], logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            defer { portContinuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let receiver = WebhookReceiver(port: port)
        receiverBox.withLock { $0 = receiver }
        do {
            let result = try await body(receiver)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}
