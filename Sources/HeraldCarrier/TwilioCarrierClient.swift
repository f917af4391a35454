import Foundation
import HeraldCore

/// The production carrier client: the Twilio-compatible Messages API (docs/carrier.md) over libcurl.
public final class TwilioCarrierClient: CarrierClient {
    public struct Configuration: Sendable {
        /// Scheme, host and port, e.g. `https://api.twilio.com` or `http://127.0.0.1:8089`.
        public var baseURL: String
        public var accountSID: String
        public var authToken: String
        /// POSTs in flight at once; further sends wait their turn inside the client.
        public var maxInFlight: Int
        public var connectTimeout: Duration
        /// Limit on one POST once it is running. A timeout leaves the outcome unknown (maybeDelivered).
        public var totalTimeout: Duration

        public init(baseURL: String, accountSID: String, authToken: String, maxInFlight: Int, connectTimeout: Duration, totalTimeout: Duration) {
            self.baseURL = baseURL
            self.accountSID = accountSID
            self.authToken = authToken
            self.maxInFlight = maxInFlight
            self.connectTimeout = connectTimeout
            self.totalTimeout = totalTimeout
        }
    }

    public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
        case invalidBaseURL(String)
        case invalidAccountSID(String)
        case missingAuthToken
        case httpClient(CurlMultiError)

        public var description: String {
            switch self {
            case let .invalidBaseURL(url):
                "carrier base URL \"\(url)\" must start with http:// or https:// and name a host, e.g. https://api.twilio.com"
            case let .invalidAccountSID(sid):
                "carrier account SID \"\(sid)\" must be non-empty and contain only letters, digits, '-' or '_'"
            case .missingAuthToken:
                "carrier auth token is empty; set it in the gateway configuration"
            case let .httpClient(error):
                error.description
            }
        }
    }

    /// Error codes that mean "slow down", whatever the HTTP status (docs/carrier.md).
    static let throttleErrorCodes: Set<Int> = [20429, 30001]
    /// Of those, the codes that speak of one sender, not the account: 30001, the sender's queue at
    /// the carrier overflowed.
    static let senderThrottleErrorCodes: Set<Int> = [30001]

    let http: CurlMulti
    private let messagesURL: String
    /// `{base}/2010-04-01/Accounts/{sid}`.
    let accountRoot: String
    /// Scheme, host and port: what a list's `next_page_uri` is relative to.
    let origin: String
    let credentials: (user: String, password: String)

    public init(configuration: Configuration) throws(ConfigurationError) {
        let root = try TwilioAccount.root(
            baseURL: configuration.baseURL, accountSID: configuration.accountSID, authToken: configuration.authToken
        )
        do {
            http = try CurlMulti(
                maxInFlight: configuration.maxInFlight,
                connectTimeout: configuration.connectTimeout,
                totalTimeout: configuration.totalTimeout
            )
        } catch {
            throw .httpClient(error)
        }
        messagesURL = "\(root)/Messages.json"
        accountRoot = root
        origin = String(root.dropLast("/2010-04-01/Accounts/".count + configuration.accountSID.count))
        credentials = (configuration.accountSID, configuration.authToken)
    }

    public func send(_ sms: OutboundSMS) async -> CarrierOutcome {
        Self.classify(await http.perform(request(for: sms)), now: Date())
    }

    public func send(_ sms: OutboundSMS, then finished: @escaping @Sendable (CarrierOutcome) -> Void) {
        http.perform(request(for: sms)) { finished(Self.classify($0, now: Date())) }
    }

    /// The Messages POST of docs/carrier.md.
    private func request(for sms: OutboundSMS) -> HTTPRequest {
        var fields = [("To", sms.to), ("From", sms.from), ("Body", sms.body)]
        if let udh = sms.udh { fields.append(("Udh", Self.hex(udh))) }
        if let callback = sms.statusCallback { fields.append(("StatusCallback", callback)) }
        return HTTPRequest(
            method: "POST",
            url: messagesURL,
            headers: [
                ("Idempotency-Key", sms.idempotencyKey),
                ("Accept", "application/json"),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body: Array(FormEncoding.encode(fields).utf8),
            basicAuth: credentials
        )
    }

    /// Fails sends still waiting or running and stops the HTTP thread.
    public func shutdown() {
        http.shutdown()
    }

    public var statistics: CurlMulti.Statistics { http.statistics }

    /// docs/carrier.md's error classes, applied to one Messages POST.
    static func classify(_ result: HTTPResult, now: Date) -> CarrierOutcome {
        switch result {
        case let .transportError(code, message, requestSent):
            let when = requestSent ? "after the request was sent; the carrier may have taken the message" : "before the request was sent"
            return .retryable(detail: "no response from carrier, \(when) (curl error \(code): \(message))", httpStatus: nil, maybeDelivered: requestSent)

        case let .response(status, _, body):
            let parsed = TwilioResponseBody.parse(body)
            let errorCode = parsed?.anyErrorCode
            let message = parsed?.anyErrorMessage ?? excerpt(body)

            if status == 429 || errorCode.map(throttleErrorCodes.contains) == true {
                let retryAfter = result.header("Retry-After").flatMap { RetryAfter.seconds(from: $0, now: now) }
                return .throttled(retryAfter: retryAfter, detail: "HTTP \(status)\(errorCode.map { " error \($0)" } ?? ""): \(message)",
                                  account: errorCode.map(senderThrottleErrorCodes.contains) != true)
            }
            switch status {
            case 200..<300:
                guard let sid = parsed?.sid, !sid.isEmpty else {
                    // The carrier said yes but gave nothing to track: retrying under the same
                    // idempotency key is safe, and the message may already be on its way.
                    return .retryable(detail: "HTTP \(status) without a message sid in the body: \(excerpt(body))", httpStatus: status, maybeDelivered: true)
                }
                return .accepted(sid: sid, status: parsed?.status ?? "queued", segments: parsed?.numSegments)
            case 500..<600:
                // A carrier error is an answer; a gateway error (502/504) means an intermediary
                // gave up, and the carrier behind it may have taken the message.
                return .retryable(detail: "HTTP \(status) from carrier: \(message)", httpStatus: status, maybeDelivered: status == 502 || status == 504)
            case 408:
                return .retryable(detail: "HTTP 408: carrier timed out reading the request", httpStatus: status, maybeDelivered: false)
            case 400..<500:
                return .permanent(errorCode: errorCode, message: message, httpStatus: status)
            default:
                return .retryable(
                    detail: "unexpected HTTP \(status) from carrier (redirects are not followed; check the gateway base URL): \(excerpt(body))",
                    httpStatus: status,
                    maybeDelivered: false
                )
            }
        }
    }

    /// Upper-case hex, two digits a byte: how SMPP-style gateways write a user data header.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Enough of an unparseable body for an operator to recognise it in a log line.
    private static func excerpt(_ body: [UInt8]) -> String {
        if body.isEmpty { return "empty body" }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return body.count > 200 ? text + "…" : text
    }
}
