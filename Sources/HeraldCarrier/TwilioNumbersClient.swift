import Foundation
import HeraldCore

/// The numbers half of the Twilio-compatible API (docs/carrier.md) over libcurl: search a country's local
/// numbers by area code, buy one with Herald's webhooks, release one by sid.
public final class TwilioNumbersClient: NumbersClient {
    private let http: CurlMulti
    private let accountURL: String
    private let credentials: (user: String, password: String)

    /// Operators provision a handful of numbers at a time: a few transfers at once is plenty.
    static let maxInFlight = 4

    public init(
        baseURL: String, accountSID: String, authToken: String, connectTimeout: Duration, totalTimeout: Duration
    ) throws(TwilioCarrierClient.ConfigurationError) {
        accountURL = try TwilioAccount.root(baseURL: baseURL, accountSID: accountSID, authToken: authToken)
        do {
            http = try CurlMulti(maxInFlight: Self.maxInFlight, connectTimeout: connectTimeout, totalTimeout: totalTimeout)
        } catch {
            throw .httpClient(error)
        }
        credentials = (accountSID, authToken)
    }

    /// Fails requests still running and stops the HTTP thread.
    public func shutdown() {
        http.shutdown()
    }

    public func search(areaCode: AreaCode) async throws(NumbersError) -> [String] {
        let operation = "search area code \(areaCode.npa)"
        let url = "\(accountURL)/AvailablePhoneNumbers/\(areaCode.region.rawValue)/Local.json?AreaCode=\(areaCode.npa)"
        let body = try Self.success(await http.perform(request("GET", url)), operation: operation)
        guard let page = try? JSONDecoder().decode(AvailableNumbersPage.self, from: Data(body)) else {
            throw .malformedResponse(operation: operation, detail: "no available_phone_numbers list: \(Self.excerpt(body))")
        }
        return page.availablePhoneNumbers.compactMap(\.phoneNumber)
    }

    public func buy(_ e164: String, webhooks: NumberWebhooks) async throws(NumbersError) -> PurchasedNumber {
        let operation = "buy \(e164)"
        let form = FormEncoding.encode([
            ("PhoneNumber", e164), ("SmsUrl", webhooks.smsURL), ("SmsMethod", "POST"),
            ("StatusCallback", webhooks.statusCallback), ("StatusCallbackMethod", "POST"),
        ])
        let result = await http.perform(request(
            "POST", "\(accountURL)/IncomingPhoneNumbers.json",
            contentType: "application/x-www-form-urlencoded", body: Array(form.utf8)
        ))
        let body: [UInt8]
        do throws(NumbersError) {
            body = try Self.success(result, operation: operation)
        } catch {
            // No answer, or only a gateway's: the purchase may have gone through, and a number on
            // the account that Herald does not know of is billed with nobody using it. Ask.
            guard error.outcomeUnknown, let owned = try? await lookup(e164) else { throw error }
            return owned
        }
        guard let bought = try? JSONDecoder().decode(IncomingNumber.self, from: Data(body)), let sid = bought.sid, !sid.isEmpty else {
            // The carrier said yes, so the number is on the account, but without its sid Herald
            // could never release it: the operator has to look it up.
            throw .malformedResponse(operation: operation, detail: "no sid in \(Self.excerpt(body)); the number may be on the account")
        }
        return PurchasedNumber(sid: sid, e164: bought.phoneNumber ?? e164)
    }

    /// The number if it is on the account: `GET …/IncomingPhoneNumbers.json?PhoneNumber=…`.
    func lookup(_ e164: String) async throws(NumbersError) -> PurchasedNumber? {
        let operation = "look up \(e164) on the account"
        let url = "\(accountURL)/IncomingPhoneNumbers.json?" + FormEncoding.encode([("PhoneNumber", e164)])
        let body = try Self.success(await http.perform(request("GET", url)), operation: operation)
        guard let page = try? JSONDecoder().decode(IncomingNumbersPage.self, from: Data(body)) else {
            throw .malformedResponse(operation: operation, detail: "no incoming_phone_numbers list: \(Self.excerpt(body))")
        }
        return page.incomingPhoneNumbers.first { $0.phoneNumber == e164 }.flatMap { number in
            number.sid.map { PurchasedNumber(sid: $0, e164: e164) }
        }
    }

    public func release(sid: String) async throws(NumbersError) -> NumberRelease {
        let operation = "release number \(sid)"
        let escaped = sid.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? sid
        let result = await http.perform(request("DELETE", "\(accountURL)/IncomingPhoneNumbers/\(escaped).json"))
        if case .response(404, _, _) = result { return .alreadyGone }
        _ = try Self.success(result, operation: operation)
        return .released
    }

    private func request(_ method: String, _ url: String, contentType: String? = nil, body: [UInt8] = []) -> HTTPRequest {
        var headers = [("Accept", "application/json")]
        if let contentType { headers.append(("Content-Type", contentType)) }
        return HTTPRequest(method: method, url: url, headers: headers, body: body, basicAuth: credentials)
    }

    /// The body of a 2xx answer, or the error an operator can act on.
    static func success(_ result: HTTPResult, operation: String) throws(NumbersError) -> [UInt8] {
        switch result {
        case let .transportError(code, message, requestSent):
            throw .unreachable(operation: operation, detail: "curl error \(code): \(message)", requestSent: requestSent)
        case let .response(status, _, body):
            if (200..<300).contains(status) { return body }
            let parsed = TwilioResponseBody.parse(body)
            let message = parsed?.anyErrorMessage ?? excerpt(body)
            switch status {
            case 401, 403: throw .credentialsRefused(status: status, message: message)
            case 429:
                let retryAfter = result.header("Retry-After").flatMap { RetryAfter.seconds(from: $0, now: Date()) }
                throw .throttled(operation: operation, retryAfterSeconds: retryAfter.map { Int($0.rounded(.up)) })
            case 300..<400:
                throw .malformedResponse(operation: operation, detail: "HTTP \(status) redirect, which Herald does not follow; check [carrier] base_url")
            case 400..<500: throw .rejected(operation: operation, status: status, code: parsed?.anyErrorCode, message: message)
            default: throw .carrierFailure(operation: operation, status: status, message: message)
            }
        }
    }

    private static func excerpt(_ body: [UInt8]) -> String {
        if body.isEmpty { return "empty body" }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return body.count > 200 ? text + "…" : text
    }
}

/// `GET …/AvailablePhoneNumbers/{country}/Local.json`: only the numbers matter to Herald.
private struct AvailableNumbersPage: Decodable {
    struct Entry: Decodable {
        var phoneNumber: String?
        enum CodingKeys: String, CodingKey { case phoneNumber = "phone_number" }
    }

    var availablePhoneNumbers: [Entry]
    enum CodingKeys: String, CodingKey { case availablePhoneNumbers = "available_phone_numbers" }
}

/// `POST …/IncomingPhoneNumbers.json`'s answer.
private struct IncomingNumber: Decodable {
    var sid: String?
    var phoneNumber: String?
    enum CodingKeys: String, CodingKey {
        case sid
        case phoneNumber = "phone_number"
    }
}

/// `GET …/IncomingPhoneNumbers.json`: the numbers on the account.
private struct IncomingNumbersPage: Decodable {
    var incomingPhoneNumbers: [IncomingNumber]
    enum CodingKeys: String, CodingKey { case incomingPhoneNumbers = "incoming_phone_numbers" }
}

extension NumbersError {
    /// The request may have been carried out with no answer to say so.
    var outcomeUnknown: Bool {
        switch self {
        case let .unreachable(_, _, requestSent): requestSent
        case let .carrierFailure(_, status, _): status == 502 || status == 504
        default: false
        }
    }
}
