import Foundation
import HeraldCore

/// A Messages resource as Twilio's fetch and list answers carry it: the fields reconciliation and
/// the search for a lost answer read. Leniently typed, like `TwilioResponseBody`.
struct TwilioMessageResource: Decodable {
    var sid: String?
    var to: String?
    var from: String?
    var body: String?
    var status: String?
    var errorCode: Int?
    var numSegments: Int?
    var dateCreated: Date?
    /// Not in Twilio's resource, but some compatible gateways echo it: the surest match.
    var statusCallback: String?

    private enum CodingKeys: String, CodingKey {
        case sid, to, from, body, status
        case errorCode = "error_code"
        case numSegments = "num_segments"
        case dateCreated = "date_created"
        case statusCallback = "status_callback"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sid = try? container.decodeIfPresent(String.self, forKey: .sid)
        to = try? container.decodeIfPresent(String.self, forKey: .to)
        from = try? container.decodeIfPresent(String.self, forKey: .from)
        body = try? container.decodeIfPresent(String.self, forKey: .body)
        status = try? container.decodeIfPresent(String.self, forKey: .status)
        statusCallback = try? container.decodeIfPresent(String.self, forKey: .statusCallback)
        errorCode = Self.int(container, .errorCode)
        numSegments = Self.int(container, .numSegments)
        dateCreated = (try? container.decodeIfPresent(String.self, forKey: .dateCreated)).flatMap { $0.flatMap(Self.rfc2822) }
    }

    private static func int(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) -> Int? {
        if let value = try? container.decodeIfPresent(Int.self, forKey: key) { return value }
        return (try? container.decodeIfPresent(String.self, forKey: key)).flatMap { $0.flatMap { Int($0) } }
    }

    /// `Wed, 18 Aug 2010 20:01:40 +0000`, the resource's date format.
    static func rfc2822(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.date(from: text)
    }
}

/// One page of `GET …/Messages.json`.
struct TwilioMessagePage: Decodable {
    var messages: [TwilioMessageResource]
    /// The next page's path and query, or nil on the last page.
    var nextPageURI: String?

    private enum CodingKeys: String, CodingKey {
        case messages
        case nextPageURI = "next_page_uri"
    }
}

extension TwilioCarrierClient {
    /// Pages looked at before a search gives up: a conversation between two numbers since one
    /// day holds far fewer messages than this many pages of 100.
    static let searchPages = 20

    public func lookUp(sid: String) async -> CarrierLookup {
        let escaped = sid.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? sid
        let result = await http.perform(get("\(accountRoot)/Messages/\(escaped).json"))
        switch result {
        case let .transportError(code, message, _):
            return .failed(detail: "no answer from carrier (curl error \(code): \(message))")
        case let .response(status, _, body):
            if status == 404 { return .notFound }
            if let throttled = Self.throttled(result, status: status, body: body) {
                return .throttled(retryAfter: throttled.retryAfter, detail: throttled.detail)
            }
            guard (200..<300).contains(status),
                  let resource = try? JSONDecoder().decode(TwilioMessageResource.self, from: Data(body)),
                  let carrierStatus = resource.status
            else { return .failed(detail: "HTTP \(status) without a message status") }
            return .found(status: carrierStatus, errorCode: resource.errorCode, segments: resource.numSegments)
        }
    }

    public func find(_ sms: OutboundSMS, postedSince: Date) async -> CarrierSearch {
        // DateSent is a UTC day; a day earlier covers a post made just after midnight UTC and any clock skew.
        let day = Self.utcDay(postedSince - 86400)
        var url = "\(accountRoot)/Messages.json?" + FormEncoding.encode([
            ("To", sms.to), ("From", sms.from), ("DateSent>", day), ("PageSize", "100"),
        ])
        var searched = 0
        for _ in 0..<Self.searchPages {
            let result = await http.perform(get(url))
            guard case let .response(status, _, body) = result else {
                if case let .transportError(code, message, _) = result {
                    return .failed(detail: "no answer from carrier to the message list (curl error \(code): \(message))")
                }
                return .failed(detail: "no answer from carrier to the message list")
            }
            if let throttled = Self.throttled(result, status: status, body: body) {
                return .throttled(retryAfter: throttled.retryAfter, detail: throttled.detail)
            }
            guard (200..<300).contains(status), let page = try? JSONDecoder().decode(TwilioMessagePage.self, from: Data(body)) else {
                return .failed(detail: "HTTP \(status) from the message list")
            }
            searched += page.messages.count
            if let match = Self.match(sms, in: page.messages, postedSince: postedSince) { return match }
            guard let next = page.nextPageURI, !next.isEmpty else { break }
            url = origin + next
        }
        return .notFound(searched: searched)
    }

    /// Herald's own message id in the callback URL is proof; the exact body, created no earlier
    /// than the first post (less a minute of clock skew), is the carrier-agnostic match.
    static func match(_ sms: OutboundSMS, in messages: [TwilioMessageResource], postedSince: Date) -> CarrierSearch? {
        if let callback = sms.statusCallback,
           let byCallback = messages.first(where: { $0.statusCallback == callback && $0.sid != nil }) {
            return .found(sid: byCallback.sid!, status: byCallback.status ?? "queued", segments: byCallback.numSegments)
        }
        let byBody = messages.first { message in
            message.sid != nil && message.body == sms.body && message.to == sms.to && message.from == sms.from
                && (message.dateCreated.map { $0 >= postedSince - 60 } ?? true)
        }
        return byBody.map { .found(sid: $0.sid!, status: $0.status ?? "queued", segments: $0.numSegments) }
    }

    private func get(_ url: String) -> HTTPRequest {
        HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")], body: [], basicAuth: credentials)
    }

    private static func throttled(_ result: HTTPResult, status: Int, body: [UInt8]) -> (retryAfter: TimeInterval?, detail: String)? {
        let parsed = TwilioResponseBody.parse(body)
        guard status == 429 || parsed?.anyErrorCode.map(throttleErrorCodes.contains) == true else { return nil }
        return (result.header("Retry-After").flatMap { RetryAfter.seconds(from: $0, now: Date()) }, "HTTP \(status) from carrier")
    }

    static func utcDay(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }
}
