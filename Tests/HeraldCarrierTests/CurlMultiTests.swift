import Foundation
import HeraldCarrier
import HeraldTestSupport
import Hummingbird
import Synchronization
import Testing

@Suite("CurlMulti against a loopback server")
struct CurlMultiTests {
    private func makeClient(maxInFlight: Int = 8, connectTimeout: Duration = .seconds(2), totalTimeout: Duration = .seconds(5)) throws -> CurlMulti {
        try CurlMulti(maxInFlight: maxInFlight, connectTimeout: connectTimeout, totalTimeout: totalTimeout, maxConnectionsPerHost: nil)
    }

    @Test func getReturnsStatusHeadersAndBody() async throws {
        try await withLoopbackServer({ request in
            var fields = HTTPFields()
            fields[.contentType] = "text/plain"
            fields[.cacheControl] = "no-store"
            return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(string: "hello \(request.path)")))
        }) { baseURL, log in
            let client = try makeClient()
            defer { client.shutdown() }
            let result = await client.perform(HeraldCarrier.HTTPRequest(url: baseURL + "/greeting"))
            guard case let .response(status, headers, body) = result else {
                Issue.record("expected a response, got \(result)")
                return
            }
            #expect(status == 200)
            #expect(String(decoding: body, as: UTF8.self) == "hello /greeting")
            #expect(result.header("content-type") == "text/plain")
            #expect(result.header("Cache-Control") == "no-store")
            #expect(headers.contains { $0.0.lowercased() == "content-length" && $0.1 == "15" })
            #expect(log.requests.first?.method == "GET")
        }
    }

    @Test func postCarriesBodyHeadersAndBasicAuth() async throws {
        try await withLoopbackServer({ _ in Response(status: .noContent) }) { baseURL, log in
            let client = try makeClient()
            defer { client.shutdown() }
            let payload: [UInt8] = Array("a=1&b=two\u{0}three".utf8)
            let result = await client.perform(HeraldCarrier.HTTPRequest(
                method: "POST",
                url: baseURL + "/things",
                headers: [("X-Trace", "abc123"), ("Content-Type", "application/octet-stream")],
                body: payload,
                basicAuth: ("user", "pa:ss")
            ))
            guard case let .response(status, _, _) = result else {
                Issue.record("expected a response, got \(result)")
                return
            }
            #expect(status == 204)
            let received = try #require(log.requests.first)
            #expect(received.method == "POST")
            #expect(received.body == payload)
            #expect(received.header("X-Trace") == "abc123")
            #expect(received.header("Expect") == nil)
            #expect(received.header("Authorization") == "Basic " + Data("user:pa:ss".utf8).base64EncodedString())
        }
    }

    @Test func otherMethodsAreSentAsGiven() async throws {
        try await withLoopbackServer({ _ in Response(status: .ok) }) { baseURL, log in
            let client = try makeClient()
            defer { client.shutdown() }
            _ = await client.perform(HeraldCarrier.HTTPRequest(method: "DELETE", url: baseURL + "/numbers/PN1.json"))
            _ = await client.perform(HeraldCarrier.HTTPRequest(method: "PUT", url: baseURL + "/x", body: Array("v".utf8)))
            #expect(log.requests.map(\.method) == ["DELETE", "PUT"])
            #expect(log.requests.last?.body == Array("v".utf8))
        }
    }

    /// Total timeouts for the timeout tests, shortest first. The claim needs the request on the wire
    /// before the timeout fires; on a loaded machine connecting and writing can outlast a short one,
    /// so an attempt the server did not see is repeated with the next, longer timeout.
    static let sendThenTimeOut: [Duration] = [.milliseconds(300), .seconds(2), .seconds(10), .seconds(30)]

    @Test func timeoutAfterSendingSaysTheRequestWasSent() async throws {
        let server = try RawTCPServer(.neverRespond)
        defer { server.stop() }
        for timeout in Self.sendThenTimeOut {
            let client = try makeClient(totalTimeout: timeout)
            defer { client.shutdown() }
            let seenBefore = server.requests
            let started = ContinuousClock.now
            let result = await client.perform(HeraldCarrier.HTTPRequest(method: "POST", url: "http://127.0.0.1:\(server.port)/slow", body: Array("x=1".utf8)))
            guard case let .transportError(code, message, requestSent) = result else {
                Issue.record("expected a transport error, got \(result)")
                return
            }
            #expect(code == 28, "CURLE_OPERATION_TIMEDOUT; message: \(message)")
            // Generous: this checks that the timeout ends the wait, not how fast a busy machine is.
            #expect(ContinuousClock.now - started < timeout + .seconds(120))
            guard server.requests > seenBefore else { continue }
            #expect(requestSent, "the server had read the whole request before the timeout")
            return
        }
        Issue.record("the server never read the request before the client timed out, even with \(Self.sendThenTimeOut.last!)")
    }

    @Test func refusedConnectionSaysTheRequestWasNotSent() async throws {
        let (port, socket) = try RawTCPServer.refusingPort()
        defer { close(socket) }
        let client = try makeClient()
        defer { client.shutdown() }
        let result = await client.perform(HeraldCarrier.HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/", body: [1]))
        guard case let .transportError(code, _, requestSent) = result else {
            Issue.record("expected a transport error, got \(result)")
            return
        }
        #expect(code == 7, "CURLE_COULDNT_CONNECT")
        #expect(!requestSent)
    }

    @Test func hangUpWithoutResponseSaysTheRequestWasSent() async throws {
        let server = try RawTCPServer(.closeAfterRequest)
        defer { server.stop() }
        let client = try makeClient()
        defer { client.shutdown() }
        let result = await client.perform(HeraldCarrier.HTTPRequest(method: "POST", url: "http://127.0.0.1:\(server.port)/", body: Array("x=1".utf8)))
        guard case let .transportError(code, _, requestSent) = result else {
            Issue.record("expected a transport error, got \(result)")
            return
        }
        #expect(code == 52 || code == 56, "CURLE_GOT_NOTHING or CURLE_RECV_ERROR, got \(code)")
        #expect(requestSent)
    }

    @Test func malformedURLFailsWithoutSending() async throws {
        let client = try makeClient()
        defer { client.shutdown() }
        let result = await client.perform(HeraldCarrier.HTTPRequest(url: "nope://"))
        guard case let .transportError(_, _, requestSent) = result else {
            Issue.record("expected a transport error, got \(result)")
            return
        }
        #expect(!requestSent)
    }

    @Test func concurrentRequestsAllCompleteOverReusedConnections() async throws {
        try await withLoopbackServer({ request in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: request.path)))
        }) { baseURL, log in
            let maxInFlight = 16
            // About connection reuse, not speed: a transfer timed out on a loaded machine would be
            // replaced on a new connection and blur what is counted.
            let client = try makeClient(maxInFlight: maxInFlight, connectTimeout: .seconds(60), totalTimeout: .seconds(120))
            defer { client.shutdown() }
            let bodies = await withTaskGroup(of: (Int, String?).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let result = await client.perform(HeraldCarrier.HTTPRequest(url: baseURL + "/r/\(index)"))
                        guard case let .response(200, _, body) = result else { return (index, nil) }
                        return (index, String(decoding: body, as: UTF8.self))
                    }
                }
                var bodies: [Int: String] = [:]
                for await (index, body) in group { bodies[index] = body }
                return bodies
            }
            #expect(bodies.count == 200)
            #expect((0..<200).allSatisfy { bodies[$0] == "/r/\($0)" })
            #expect(log.requests.count == 200)
            // Every connection carried many requests: never more connections than transfers at once.
            #expect(log.distinctConnections <= maxInFlight)
            let statistics = client.statistics
            #expect(statistics.completed == 200)
            #expect(statistics.connectionsOpened == log.distinctConnections)
        }
    }

    @Test("Results handed to a callback: each request answered once, with its own response; after shutdown at once, as failed")
    func callbacksGetEachResultOnce() async throws {
        try await withLoopbackServer({ request in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: request.path)))
        }) { baseURL, _ in
            let client = try makeClient(maxInFlight: 4)
            let answers = Mutex<[Int: [String]]>([:])
            for index in 0..<100 {
                client.perform(HeraldCarrier.HTTPRequest(url: baseURL + "/c/\(index)")) { result in
                    let body = if case let .response(200, _, body) = result { String(decoding: body, as: UTF8.self) } else { "\(result)" }
                    answers.withLock { $0[index, default: []].append(body) }
                }
            }
            let all = try await eventually(timeout: .seconds(60), interval: .milliseconds(5)) { answers.withLock { $0.count } == 100 }
            #expect(all, "\(answers.withLock { $0.count }) of 100 answered")
            #expect(answers.withLock { $0 }.allSatisfy { index, bodies in bodies == ["/c/\(index)"] })
            client.shutdown()
            let late = Mutex<HTTPResult?>(nil)
            client.perform(HeraldCarrier.HTTPRequest(url: baseURL + "/late")) { result in late.withLock { $0 = result } }
            guard case .transportError(_, _, false)? = late.withLock({ $0 }) else {
                Issue.record("a request after shutdown must fail at once, unsent, got \(String(describing: late.withLock { $0 }))")
                return
            }
        }
    }

    @Test func maxInFlightIsRespected() async throws {
        // The first four requests are held until all four are in the server at once, so the
        // overlap does not depend on timing; a fifth arriving meanwhile would break the cap.
        let arrived = Mutex(0)
        try await withLoopbackServer({ _ in
            let order = arrived.withLock { count in
                count += 1
                return count
            }
            if order <= 4 {
                _ = try await eventually(timeout: .seconds(60), interval: .milliseconds(5)) { arrived.withLock { $0 } >= 4 }
            }
            return Response(status: .ok)
        }) { baseURL, log in
            let client = try makeClient(maxInFlight: 4, connectTimeout: .seconds(60), totalTimeout: .seconds(120))
            defer { client.shutdown() }
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<40 {
                    group.addTask { _ = await client.perform(HeraldCarrier.HTTPRequest(url: baseURL + "/slow")) }
                }
            }
            #expect(log.requests.count == 40)
            #expect(log.peakConcurrency == 4, "transfers overlap up to the cap and never beyond it")
        }
    }

    @Test func shutdownFailsQueuedAndRunningRequests() async throws {
        let server = try RawTCPServer(.neverRespond)
        defer { server.stop() }
        let client = try CurlMulti(maxInFlight: 2, connectTimeout: .seconds(60), totalTimeout: .seconds(120), maxConnectionsPerHost: nil)
        let all = try await withThrowingTaskGroup(of: HTTPResult?.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    await client.perform(HeraldCarrier.HTTPRequest(method: "POST", url: "http://127.0.0.1:\(server.port)/", body: [1]))
                }
            }
            group.addTask {
                // Shut down once the two transfers the cap lets run have delivered their requests;
                // the other three are still queued then, since the server never answers.
                defer { client.shutdown() }
                try await waitUntil("the server to read the two running transfers' requests", timeout: .seconds(60)) { server.requests >= 2 }
                return nil
            }
            var results: [HTTPResult] = []
            for try await result in group {
                if let result { results.append(result) }
            }
            return results
        }
        #expect(all.count == 5)
        let sentFlags = all.compactMap { result -> Bool? in
            guard case let .transportError(_, _, sent) = result else { return nil }
            return sent
        }
        #expect(sentFlags.count == 5)
        #expect(sentFlags.filter { $0 }.count == 2, "the two running transfers had sent their requests; the three queued had not")
        #expect(server.connections == 2, "the queued transfers never connected")
        #expect(server.requests == 2)
        let late = await client.perform(HeraldCarrier.HTTPRequest(url: "http://127.0.0.1:\(server.port)/"))
        guard case .transportError(_, _, false) = late else {
            Issue.record("a request after shutdown must fail at once, got \(late)")
            return
        }
    }

    @Test func invalidConfigurationIsRejected() {
        #expect(throws: CurlMultiError.invalidConfiguration("maxInFlight must be at least 1, got 0")) {
            try CurlMulti(maxInFlight: 0, connectTimeout: .seconds(1), totalTimeout: .seconds(1), maxConnectionsPerHost: nil)
        }
        #expect(throws: CurlMultiError.self) {
            try CurlMulti(maxInFlight: 1, connectTimeout: .seconds(1), totalTimeout: .zero, maxConnectionsPerHost: nil)
        }
    }
}
