import Foundation
import HeraldCarrier
import HeraldCore
import HeraldTestSupport
import Hummingbird
import Testing
@testable import HeraldCarrier

@Suite("Twilio carrier client")
struct TwilioCarrierClientTests {
    static let accountSID = "AC0123456789abcdef0123456789abcdef"
    static let authToken = "secret-token"

    private func makeClient(baseURL: String, connectTimeout: Duration = .seconds(2), totalTimeout: Duration = .seconds(5)) throws -> TwilioCarrierClient {
        try TwilioCarrierClient(configuration: .init(
            baseURL: baseURL,
            accountSID: Self.accountSID,
            authToken: Self.authToken,
            maxInFlight: 8,
            connectTimeout: connectTimeout,
            totalTimeout: totalTimeout
        ))
    }

    private func sms(_ id: Int64 = 1, callback: String? = "https://herald.example/status") -> OutboundSMS {
        OutboundSMS(
            messageID: id,
            from: "+15005550006",
            to: "+15551234567",
            body: "Your code is 123456 & expires soon ✓",
            idempotencyKey: "msg-\(id)-key",
            statusCallback: callback
        )
    }

    /// Sends one message to a server answering `response`, returning the outcome and what the server saw.
    private func exchange(
        _ response: @escaping @Sendable () -> Response,
        sms message: OutboundSMS? = nil
    ) async throws -> (CarrierOutcome, ReceivedRequest?) {
        let message = message ?? sms()
        return try await withLoopbackServer({ _ in response() }) { baseURL, log in
            let client = try makeClient(baseURL: baseURL + "/")
            defer { client.shutdown() }
            let outcome = await client.send(message)
            return (outcome, log.requests.first)
        }
    }

    @Test func createdMessageIsAcceptedWithItsSidVerbatim() async throws {
        let (outcome, _) = try await exchange {
            jsonResponse(status: 201, #"{"sid":"SMa1B2c3D4e5F6a7B8c9D0e1F2a3B4c5D6","status":"queued","num_segments":"2","error_code":null,"error_message":null}"#)
        }
        #expect(outcome == .accepted(sid: "SMa1B2c3D4e5F6a7B8c9D0e1F2a3B4c5D6", status: "queued", segments: 2))
    }

    @Test func requestIsTheMessagesPostOfSpec8() async throws {
        let message = sms(42)
        let (_, received) = try await exchange({ jsonResponse(status: 201, #"{"sid":"SM1","status":"queued","num_segments":1}"#) }, sms: message)
        let request = try #require(received)
        #expect(request.method == "POST")
        #expect(request.path == "/2010-04-01/Accounts/\(Self.accountSID)/Messages.json")
        #expect(request.header("Idempotency-Key") == "msg-42-key")
        #expect(request.header("Authorization") == "Basic " + Data("\(Self.accountSID):\(Self.authToken)".utf8).base64EncodedString())
        #expect(request.header("Accept") == "application/json")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(request.form == [
            "To": message.to,
            "From": message.from,
            "Body": message.body,
            "StatusCallback": "https://herald.example/status",
        ])
    }

    @Test func statusCallbackIsOmittedWhenUnset() async throws {
        let (_, received) = try await exchange({ jsonResponse(status: 201, #"{"sid":"SM1","status":"queued"}"#) }, sms: sms(callback: nil))
        #expect(try #require(received).form.keys.sorted() == ["Body", "From", "To"])
    }

    @Test func partHeaderIsSentAsUpperCaseHexInUdh() async throws {
        var part = sms(7)
        part.udh = [0x05, 0x00, 0x03, 0xAB, 0x03, 0x02]
        let (_, received) = try await exchange({ jsonResponse(status: 201, #"{"sid":"SM1","status":"queued","num_segments":1}"#) }, sms: part)
        let form = try #require(received).form
        #expect(form["Udh"] == "050003AB0302")
        #expect(form["Body"] == part.body)
    }

    @Test func serverErrorIsRetryable() async throws {
        let (outcome, _) = try await exchange { jsonResponse(status: 500, #"{"code":20500,"message":"Internal Server Error","status":500}"#) }
        #expect(outcome == .retryable(detail: "HTTP 500 from carrier: Internal Server Error", httpStatus: 500, maybeDelivered: false))
    }

    @Test func tooManyRequestsIsThrottledForRetryAfterSeconds() async throws {
        let (outcome, _) = try await exchange {
            jsonResponse(status: 429, #"{"code":20429,"message":"Too Many Requests","status":429}"#, retryAfter: "7")
        }
        guard case let .throttled(retryAfter, detail, account) = outcome else {
            Issue.record("expected throttled, got \(outcome)")
            return
        }
        #expect(retryAfter == 7)
        #expect(detail.contains("20429"))
        #expect(account, "a 429 slows the whole account down")
    }

    @Test func invalidNumberIsPermanentWithItsCode() async throws {
        let (outcome, _) = try await exchange {
            jsonResponse(status: 400, #"{"code":21211,"message":"The 'To' number +1555 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#)
        }
        #expect(outcome == .permanent(errorCode: 21211, message: "The 'To' number +1555 is not a valid phone number.", httpStatus: 400))
    }

    @Test func optedOutRecipientStaysPermanent() async throws {
        let (outcome, _) = try await exchange {
            jsonResponse(status: 400, #"{"code":21610,"message":"Attempt to send to unsubscribed recipient","status":400}"#)
        }
        #expect(outcome == .permanent(errorCode: 21610, message: "Attempt to send to unsubscribed recipient", httpStatus: 400))
    }

    @Test func timeoutAfterSendingIsRetryableAndMaybeDelivered() async throws {
        let server = try RawTCPServer(.neverRespond)
        defer { server.stop() }
        // As in CurlMultiTests: an attempt whose timeout fired before the server had the request
        // proves nothing about "maybe delivered", so it is repeated with a longer timeout.
        for timeout in CurlMultiTests.sendThenTimeOut {
            let client = try makeClient(baseURL: "http://127.0.0.1:\(server.port)", totalTimeout: timeout)
            defer { client.shutdown() }
            let seenBefore = server.requests
            let outcome = await client.send(sms())
            guard case let .retryable(detail, status, maybeDelivered) = outcome else {
                Issue.record("expected retryable, got \(outcome)")
                return
            }
            #expect(status == nil)
            #expect(detail.contains("curl error 28"), "\(detail)")
            guard server.requests > seenBefore else { continue }
            #expect(maybeDelivered, "the server had read the whole request before the timeout")
            return
        }
        Issue.record("the server never read the request before the client timed out, even with \(CurlMultiTests.sendThenTimeOut.last!)")
    }

    @Test func refusedConnectionIsRetryableAndNotDelivered() async throws {
        let (port, socket) = try RawTCPServer.refusingPort()
        defer { close(socket) }
        let client = try makeClient(baseURL: "http://127.0.0.1:\(port)")
        defer { client.shutdown() }
        let outcome = await client.send(sms())
        guard case let .retryable(_, status, maybeDelivered) = outcome else {
            Issue.record("expected retryable, got \(outcome)")
            return
        }
        #expect(status == nil)
        #expect(!maybeDelivered)
    }

    @Test func successWithoutSidIsRetryableAndMaybeDelivered() async throws {
        let (outcome, _) = try await exchange { jsonResponse(status: 200, "<html>maintenance</html>") }
        guard case let .retryable(detail, status, maybeDelivered) = outcome else {
            Issue.record("expected retryable, got \(outcome)")
            return
        }
        #expect(status == 200)
        #expect(maybeDelivered)
        #expect(detail.contains("without a message sid"))
    }

    @Test func concurrentSendsAllComplete() async throws {
        try await withLoopbackServer({ request in
            let key = request.header("Idempotency-Key") ?? "?"
            return jsonResponse(status: 201, #"{"sid":"SM-\#(key)","status":"queued","num_segments":1}"#)
        }) { baseURL, log in
            // About connection reuse, not speed: a transfer timed out on a loaded machine would be
            // replaced on a new connection and blur what is counted.
            let client = try makeClient(baseURL: baseURL, connectTimeout: .seconds(60), totalTimeout: .seconds(120))
            defer { client.shutdown() }
            let outcomes = await withTaskGroup(of: CarrierOutcome.self) { group in
                for id in 1...200 { group.addTask { await client.send(sms(Int64(id))) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let sids = Set(outcomes.compactMap { outcome -> String? in
                guard case let .accepted(sid, _, _) = outcome else { return nil }
                return sid
            })
            #expect(sids == Set((1...200).map { "SM-msg-\($0)-key" }))
            #expect(log.distinctConnections <= 8)
        }
    }

    // MARK: Classification without a network

    private func classify(status: Int, _ body: String, headers: [(String, String)] = [], now: Date = Date()) -> CarrierOutcome {
        TwilioCarrierClient.classify(.response(status: status, headers: headers, body: Array(body.utf8)), now: now)
    }

    @Test func lenientFieldTypesAreAccepted() {
        #expect(classify(status: 201, #"{"sid":"SM9","status":"accepted","num_segments":3}"#) == .accepted(sid: "SM9", status: "accepted", segments: 3))
        #expect(classify(status: 201, #"{"sid":"SM9","status":"queued","num_segments":null}"#) == .accepted(sid: "SM9", status: "queued", segments: nil))
        #expect(classify(status: 400, #"{"error_code":"21614","error_message":"not a mobile number"}"#)
            == .permanent(errorCode: 21614, message: "not a mobile number", httpStatus: 400))
        #expect(classify(status: 403, "") == .permanent(errorCode: nil, message: "empty body", httpStatus: 403))
    }

    @Test func throttleCodesWinOverStatus() {
        guard case .throttled(nil, _, true) = classify(status: 400, #"{"code":20429,"message":"slow down"}"#) else {
            Issue.record("error 20429 must throttle the account whatever the status")
            return
        }
        guard case .throttled(_, _, false) = classify(status: 400, #"{"code":30001,"message":"Queue overflow"}"#) else {
            Issue.record("error 30001 must throttle that sender only (docs/carrier.md)")
            return
        }
    }

    @Test func retryAfterAcceptsAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        let outcome = classify(status: 429, "{}", headers: [("retry-after", "Tue, 14 Nov 2023 22:13:50 GMT")], now: now)
        #expect(outcome == .throttled(retryAfter: 30, detail: "HTTP 429: {}"))
        #expect(RetryAfter.seconds(from: "Tue, 14 Nov 2023 22:00:00 GMT", now: now) == 0)
        #expect(RetryAfter.seconds(from: " 12 ", now: now) == 12)
        #expect(RetryAfter.seconds(from: "-3", now: now) == nil)
        #expect(RetryAfter.seconds(from: "soon", now: now) == nil)
    }

    @Test func gatewayErrorsMayHaveDelivered() {
        #expect(classify(status: 504, "") == .retryable(detail: "HTTP 504 from carrier: empty body", httpStatus: 504, maybeDelivered: true))
        #expect(classify(status: 503, "") == .retryable(detail: "HTTP 503 from carrier: empty body", httpStatus: 503, maybeDelivered: false))
    }

    @Test func misconfigurationIsRejectedWithAClearError() {
        func configuration(baseURL: String = "http://127.0.0.1:1", sid: String = "AC1", token: String = "t") -> TwilioCarrierClient.Configuration {
            .init(baseURL: baseURL, accountSID: sid, authToken: token, maxInFlight: 1, connectTimeout: .seconds(1), totalTimeout: .seconds(1))
        }
        #expect(throws: TwilioCarrierClient.ConfigurationError.invalidBaseURL("api.twilio.com")) {
            try TwilioCarrierClient(configuration: configuration(baseURL: "api.twilio.com"))
        }
        #expect(throws: TwilioCarrierClient.ConfigurationError.invalidAccountSID("AC/../x")) {
            try TwilioCarrierClient(configuration: configuration(sid: "AC/../x"))
        }
        #expect(throws: TwilioCarrierClient.ConfigurationError.missingAuthToken) {
            try TwilioCarrierClient(configuration: configuration(token: ""))
        }
    }
}

@Suite("Scripted carrier twin")
struct ScriptedCarrierClientTests {
    @Test func answersFromTheScriptAndRecordsCalls() async {
        let carrier = ScriptedCarrierClient { sms in
            sms.to.hasSuffix("0") ? .permanent(errorCode: 21211, message: "invalid", httpStatus: 400) : .accepted(sid: "SM\(sms.messageID)", status: "queued", segments: 1)
        }
        let first = await carrier.send(OutboundSMS(messageID: 1, from: "+1", to: "+15551", body: "a", idempotencyKey: "k1", statusCallback: nil))
        let second = await carrier.send(OutboundSMS(messageID: 2, from: "+1", to: "+15550", body: "b", idempotencyKey: "k2", statusCallback: nil))
        #expect(first == .accepted(sid: "SM1", status: "queued", segments: 1))
        #expect(second == .permanent(errorCode: 21211, message: "invalid", httpStatus: 400))
        #expect(carrier.calls.map(\.idempotencyKey) == ["k1", "k2"])
    }

    @Test func defaultTwinAcceptsEverything() async {
        let carrier = ScriptedCarrierClient()
        await withTaskGroup(of: Void.self) { group in
            for id in 1...50 {
                group.addTask { _ = await carrier.send(OutboundSMS(messageID: Int64(id), from: "+1", to: "+2", body: "x", idempotencyKey: "k\(id)", statusCallback: nil)) }
            }
        }
        #expect(carrier.callCount == 50)
    }
}
