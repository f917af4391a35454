import CarrierSimulator
import Foundation
@testable import HeraldCarrier
import HeraldCore
import Testing

/// The numbers client against the real simulator on loopback, and against a loopback server
/// where the exact request matters.
@Suite("Twilio numbers client")
struct TwilioNumbersClientTests {
    private let webhooks = NumberWebhooks(smsURL: "http://herald.test/webhooks/inbound", statusCallback: "http://herald.test/webhooks/status")

    private func client(
        _ baseURL: String, sid: String = "ACsimulator", token: String = "simulator-token", totalTimeout: Duration = .seconds(20)
    ) throws -> TwilioNumbersClient {
        try TwilioNumbersClient(baseURL: baseURL, accountSID: sid, authToken: token, connectTimeout: .seconds(2), totalTimeout: totalTimeout)
    }

    private func areaCode(_ npa: Int) throws -> AreaCode {
        try #require(AreaCode.lookup(npa))
    }

    @Test("search, buy with both webhooks, release: the carrier's inventory follows")
    func lifecycle() async throws {
        try await CarrierSimulator.withRunning { sim in
            let numbers = try client(sim.baseURL, sid: sim.accountSID, token: sim.authToken)
            defer { numbers.shutdown() }
            let offered = try await numbers.search(areaCode: areaCode(612))
            #expect(offered.count == 5)
            #expect(offered.allSatisfy { $0.hasPrefix("+1612") })

            let bought = try await numbers.buy(offered[0], webhooks: webhooks)
            #expect(bought.e164 == offered[0])
            #expect(bought.sid.hasPrefix("PN"))
            let held = try #require(sim.provisionedNumbers().first)
            #expect(held.sid == bought.sid)
            #expect(held.smsURL == webhooks.smsURL)
            #expect(held.statusCallback == webhooks.statusCallback)
            #expect(try await numbers.search(areaCode: areaCode(612)) == Array(offered.dropFirst()), "a bought number is no longer offered")

            #expect(try await numbers.lookup(bought.e164) == bought, "the account lists it")

            #expect(try await numbers.release(sid: bought.sid) == .released)
            #expect(sim.provisionedNumbers().isEmpty)
            #expect(try await numbers.lookup(bought.e164) == nil)
            #expect(try await numbers.release(sid: bought.sid) == .alreadyGone, "a second release finds nothing and says so")
        }
    }

    @Test("an exhausted area code offers nothing; buying a number sold meanwhile is refused with 21422")
    func exhaustedAndSold() async throws {
        try await CarrierSimulator.withRunning { sim in
            let numbers = try client(sim.baseURL, sid: sim.accountSID, token: sim.authToken)
            defer { numbers.shutdown() }
            sim.setExhaustedAreaCodes(["415"])
            #expect(try await numbers.search(areaCode: areaCode(415)).isEmpty)

            let first = try #require(try await numbers.search(areaCode: areaCode(612)).first)
            _ = try await numbers.buy(first, webhooks: webhooks)
            do throws(NumbersError) {
                _ = try await numbers.buy(first, webhooks: webhooks)
                Issue.record("a number already on the account was sold twice")
            } catch {
                guard case let .rejected(_, status, code, _) = error else { throw error }
                #expect(status == 400 && code == 21422)
                #expect(error.description.contains("refused to buy \(first)"))
            }
        }
    }

    @Test("wrong credentials: an error that names the account settings")
    func credentialsRefused() async throws {
        try await CarrierSimulator.withRunning { sim in
            let numbers = try client(sim.baseURL, sid: sim.accountSID, token: "wrong-token")
            defer { numbers.shutdown() }
            let code = try areaCode(612)
            do throws(NumbersError) {
                _ = try await numbers.search(areaCode: code)
                Issue.record("the simulator took a wrong auth token")
            } catch {
                guard case .credentialsRefused(401, _) = error else { throw error }
                #expect(error.description.contains("account_sid and the auth token"))
            }
        }
    }

    @Test("a Canadian area code searches the CA inventory; the purchase form carries both webhook URLs")
    func requestShape() async throws {
        try await withLoopbackServer({ request in
            request.method == "POST"
                ? jsonResponse(status: 201, #"{"sid":"PN1","phone_number":"+16045550100"}"#)
                : jsonResponse(status: 200, #"{"available_phone_numbers":[{"phone_number":"+16045550100"}]}"#)
        }) { baseURL, log in
            let numbers = try client(baseURL, sid: "AC1", token: "t")
            defer { numbers.shutdown() }
            #expect(try await numbers.search(areaCode: areaCode(604)) == ["+16045550100"])
            #expect(try await numbers.buy("+16045550100", webhooks: webhooks) == PurchasedNumber(sid: "PN1", e164: "+16045550100"))
            let requests = log.requests
            #expect(requests.map(\.path) == [
                "/2010-04-01/Accounts/AC1/AvailablePhoneNumbers/CA/Local.json", "/2010-04-01/Accounts/AC1/IncomingPhoneNumbers.json",
            ])
            let form = try #require(requests.last).form
            #expect(form["PhoneNumber"] == "+16045550100")
            #expect(form["SmsUrl"] == webhooks.smsURL)
            #expect(form["StatusCallback"] == webhooks.statusCallback)
            #expect(requests.allSatisfy { $0.header("Authorization") == "Basic " + Data("AC1:t".utf8).base64EncodedString() })
        }
    }

    @Test("a purchase answered without a sid, a 5xx and an unreachable carrier are told apart")
    func failures() async throws {
        try await withLoopbackServer({ request in
            request.method == "POST" ? jsonResponse(status: 201, "{}") : jsonResponse(status: 503, #"{"message":"maintenance"}"#)
        }) { baseURL, _ in
            let numbers = try client(baseURL)
            defer { numbers.shutdown() }
            await #expect(throws: NumbersError.malformedResponse(operation: "buy +16125550100", detail: "no sid in {}; the number may be on the account")) {
                _ = try await numbers.buy("+16125550100", webhooks: webhooks)
            }
            await #expect(throws: NumbersError.carrierFailure(operation: "search area code 612", status: 503, message: "maintenance")) {
                _ = try await numbers.search(areaCode: areaCode(612))
            }
        }
        let (port, socket) = try RawTCPServer.refusingPort()
        defer { close(socket) }
        let numbers = try client("http://127.0.0.1:\(port)")
        defer { numbers.shutdown() }
        let code = try areaCode(612)
        do throws(NumbersError) {
            _ = try await numbers.search(areaCode: code)
            Issue.record("a closed port answered")
        } catch {
            guard case .unreachable(_, _, false) = error else { throw error }
            #expect(error.description.contains("base_url"))
        }
    }

    @Test("a purchase without a real answer is looked up on the account: found, it is Herald's; not found, the error says to check")
    func unknownOutcome() async throws {
        try await withLoopbackServer({ request in
            if request.method == "GET" {
                // The carrier completed the first purchase only.
                return jsonResponse(status: 200, #"{"incoming_phone_numbers":[{"sid":"PN9","phone_number":"+16125550100"}]}"#)
            }
            // A gateway gave up on the first; nothing at all answers the second.
            if request.form["PhoneNumber"] == "+16125550100" { return jsonResponse(status: 504, #"{"message":"gateway timeout"}"#) }
            try await Task.sleep(for: .seconds(60))
            return jsonResponse(status: 201, "{}")
        }) { baseURL, log in
            let numbers = try client(baseURL, totalTimeout: .seconds(2))
            defer { numbers.shutdown() }
            #expect(try await numbers.buy("+16125550100", webhooks: webhooks) == PurchasedNumber(sid: "PN9", e164: "+16125550100"))
            let lookup = try #require(log.requests.last)
            #expect(lookup.method == "GET" && lookup.path == "/2010-04-01/Accounts/ACsimulator/IncomingPhoneNumbers.json")

            do throws(NumbersError) {
                _ = try await numbers.buy("+16125550101", webhooks: webhooks)
                Issue.record("a number missing from the account was reported bought")
            } catch {
                guard case .unreachable(_, _, true) = error else { throw error }
                #expect(error.description.contains("may have sold it to the account anyway"))
            }
        }
    }
}
