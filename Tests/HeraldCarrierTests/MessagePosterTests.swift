import CarrierSimulator
import Foundation
import HeraldCarrier
import HeraldCore
import HeraldTestSupport
import Testing

/// `segmentation = "client"`: one request per part, against a scripted twin for the sequencing and
/// against the real simulator (libcurl, loopback) for the wire form.
@Suite("Message poster")
struct MessagePosterTests {
    static let threePartBody = String(repeating: "Your order has shipped. ", count: 16) + "Track it {here}."  // GSM-7, escapes
    static let twoPartUCS2 = String(repeating: "Привет, ", count: 10) + "до встречи 😀"  // UCS-2, a surrogate pair

    static func sms(_ body: String, id: Int64 = 258, callback: String? = "https://herald.example/webhooks/status?m=258") -> OutboundSMS {
        OutboundSMS(messageID: id, from: "+16125550100", to: "+16125550123", body: body, idempotencyKey: "hm-test-\(id)",
                    statusCallback: callback)
    }

    @Test("client mode posts each part with its header, key and callback, in order")
    func clientModePostsParts() async {
        let carrier = ScriptedCarrierClient()
        let poster = MessagePoster(carrier: carrier, segmentation: .client)
        let result = await poster.post(Self.sms(Self.threePartBody))

        let calls = carrier.calls
        #expect(calls.count == 3)
        #expect(calls.map(\.body).joined() == Self.threePartBody)
        #expect(calls.map(\.udh) == [
            [0x05, 0x00, 0x03, 0x02, 0x03, 0x01], [0x05, 0x00, 0x03, 0x02, 0x03, 0x02], [0x05, 0x00, 0x03, 0x02, 0x03, 0x03],
        ])
        #expect(calls.map(\.idempotencyKey) == ["hm-test-258-p1of3", "hm-test-258-p2of3", "hm-test-258-p3of3"])
        #expect(calls.map(\.statusCallback) == (1...3).map { "https://herald.example/webhooks/status?m=258&part=\($0)&parts=3" })
        #expect(calls.allSatisfy { $0.to == "+16125550123" && $0.from == "+16125550100" && $0.messageID == 258 })
        #expect(result.outcome == .accepted(sid: "SM1", status: "queued", segments: 3))
        #expect(result.partSIDs == ["SM1", "SM2", "SM3"])
    }

    @Test("a part the carrier does not take decides the message, names the part, and stops the rest")
    func failingPartStops() async {
        let carrier = ScriptedCarrierClient { request in
            if request.idempotencyKey.hasSuffix("p2of3") {
                return .retryable(detail: "HTTP 503 from carrier: busy", httpStatus: 503, maybeDelivered: false)
            }
            return .accepted(sid: "SM-\(request.idempotencyKey.suffix(4))", status: "queued", segments: 1)
        }
        let result = await MessagePoster(carrier: carrier, segmentation: .client).post(Self.sms(Self.threePartBody))
        #expect(carrier.callCount == 2)
        #expect(result.outcome == .retryable(detail: "part 2 of 3: HTTP 503 from carrier: busy", httpStatus: 503, maybeDelivered: false))
        #expect(result.partSIDs == ["SM-1of3"])

        let refused = ScriptedCarrierClient { request in
            request.udh?[5] == 1 ? .accepted(sid: "SMa", status: "queued", segments: 1)
                : .permanent(errorCode: 21211, message: "invalid To", httpStatus: 400)
        }
        let failed = await MessagePoster(carrier: refused, segmentation: .client).post(Self.sms(Self.twoPartUCS2))
        #expect(failed.outcome == .permanent(errorCode: 21211, message: "part 2 of 2: invalid To", httpStatus: 400))
    }

    @Test("carrier mode, and a one-segment body in client mode, post the message whole")
    func wholeMessages() async {
        let carrier = ScriptedCarrierClient()
        let whole = await MessagePoster(carrier: carrier, segmentation: .carrier).post(Self.sms(Self.threePartBody))
        let short = Self.sms("Back at 5", id: 9)
        let single = await MessagePoster(carrier: carrier, segmentation: .client).post(short)
        #expect(carrier.calls == [Self.sms(Self.threePartBody), short])
        #expect(whole.partSIDs.isEmpty && single.partSIDs.isEmpty)
        #expect(single.outcome == .accepted(sid: "SM2", status: "queued", segments: 1))
    }

    @Test("through libcurl to the simulator: n requests with the right Udh, bodies that rejoin, retries deduplicated per part")
    func againstTheSimulator() async throws {
        try await CarrierSimulator.withRunning { sim in
            let client = try TwilioCarrierClient(configuration: .init(
                baseURL: sim.baseURL, accountSID: sim.accountSID, authToken: sim.authToken, maxInFlight: 4,
                connectTimeout: .seconds(2), totalTimeout: .seconds(10)
            ))
            defer { client.shutdown() }
            let poster = MessagePoster(carrier: client, segmentation: .client)

            let gsm = await poster.post(Self.sms(Self.threePartBody, id: 1000, callback: nil))
            let ucs2 = await poster.post(Self.sms(Self.twoPartUCS2, id: 1001, callback: nil))
            guard case let .accepted(gsmSID, _, gsmSegments) = gsm.outcome, case .accepted(_, _, let ucs2Segments) = ucs2.outcome else {
                Issue.record("expected both accepted: \(gsm.outcome), \(ucs2.outcome)")
                return
            }
            #expect(gsmSegments == 3 && ucs2Segments == 2)
            #expect(gsm.partSIDs.count == 3 && gsm.partSIDs.first == gsmSID)

            let received = sim.messages()
            #expect(received.count == 5)
            let gsmParts = received.filter { $0.idempotencyKey?.hasPrefix("hm-test-1000-") == true }
            let ucs2Parts = received.filter { $0.idempotencyKey?.hasPrefix("hm-test-1001-") == true }
            #expect(gsmParts.map(\.body).joined() == Self.threePartBody)
            #expect(ucs2Parts.map(\.body).joined() == Self.twoPartUCS2)
            #expect(gsmParts.map(\.udh) == ["050003E80301", "050003E80302", "050003E80303"])
            #expect(ucs2Parts.map(\.udh) == ["050003E90201", "050003E90202"])
            #expect(gsmParts.compactMap(\.concatenation).map(\.part) == [1, 2, 3])
            #expect(Set(gsmParts.compactMap(\.concatenation).map(\.reference)) == [0xE8])
            #expect(gsmParts.map(\.sid) == gsm.partSIDs)
            #expect(received.allSatisfy { $0.numSegments == 1 })

            // Part 2 fails once: the message is retryable, and posting it again takes part 1 from the
            // carrier's memory (same key), parts 2 and 3 anew.
            sim.failPart(2, count: 1, status: 503)
            let first = await poster.post(Self.sms(Self.threePartBody, id: 1002, callback: nil))
            guard case let .retryable(detail, 503, _) = first.outcome else {
                Issue.record("expected a retryable 503, got \(first.outcome)")
                return
            }
            #expect(detail.hasPrefix("part 2 of 3: "))
            let second = await poster.post(Self.sms(Self.threePartBody, id: 1002, callback: nil))
            #expect(second.partSIDs.first == first.partSIDs.first)
            #expect(second.partSIDs.count == 3)
            let stats = sim.stats()
            #expect(stats.accepted == 8)
            #expect(stats.duplicates == ["hm-test-1002-p1of3": 1])
        }
    }

    @Test("the simulator refuses a malformed Udh or a part too long for its header, with a 400 and a reason")
    func simulatorChecksTheHeader() async throws {
        try await CarrierSimulator.withRunning { sim in
            let http = try CurlMulti(maxInFlight: 4, connectTimeout: .seconds(2), totalTimeout: .seconds(10))
            defer { http.shutdown() }
            func post(udh: String, body: String = "part") async -> (status: Int, message: String) {
                let form = [("To", "+16125550123"), ("From", "+16125550100"), ("Body", body), ("Udh", udh)]
                let request = HeraldCarrier.HTTPRequest(
                    method: "POST", url: sim.messagesURL,
                    headers: [("Content-Type", "application/x-www-form-urlencoded")],
                    body: Array(FormEncoding.encode(form).utf8), basicAuth: (sim.accountSID, sim.authToken)
                )
                guard case let .response(status, _, bytes) = await http.perform(request) else { return (0, "no response") }
                let json = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
                return (status, json?["message"] as? String ?? "")
            }
            let cases: [(udh: String, body: String, mentions: String)] = [
                ("05000G030102", "part", "hex"),
                ("05000301030", "part", "hex"),  // odd length
                ("070003010302", "part", "length byte"),
                ("050003010304", "part", "part 4 of 3"),
                ("050003010300", "part", "part 0 of 3"),
                ("050003010003", "part", "part 3 of 0"),
                ("03240100", "part", "no concatenation"),
                ("0400030103", "part", "runs past"),
                ("050003010302", String(repeating: "a", count: 154), "at most 153"),
                ("050003010302", String(repeating: "a", count: 152) + "€", "at most 153"),
                ("050003010302", String(repeating: "Ж", count: 68), "at most 67"),
                ("06080400010302", String(repeating: "a", count: 153), "at most 152"),  // 16-bit reference: 7 bytes
            ]
            for item in cases {
                let reply = await post(udh: item.udh, body: item.body)
                #expect(reply.status == 400, "\(item.udh)")
                #expect(reply.message.contains(item.mentions), "\(item.udh): \(reply.message)")
            }
            #expect(sim.stats().accepted == 0)
            #expect(await post(udh: "050003010302", body: String(repeating: "a", count: 153)).status == 201)
            #expect(await post(udh: "050003010302", body: String(repeating: "Ж", count: 67)).status == 201)
            #expect(await post(udh: "06080400010302", body: String(repeating: "a", count: 152)).status == 201)
            #expect(sim.messages().last?.concatenation == UserDataHeader.Concatenation(reference: 1, part: 2, parts: 3))
        }
    }
}
