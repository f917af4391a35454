import Foundation
import HeraldCarrier

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The filters and paging of `GET …/Messages.json`, read the way Twilio reads them.
///
/// Twilio documents `DateSent>=YYYY-MM-DD` and `DateSent<=YYYY-MM-DD`; in a query string those
/// parse as the parameter `DateSent>` (or `DateSent<`) with the date as its value, which is what
/// its client libraries send. Dates are UTC days; a full ISO 8601 instant is taken too, as the
/// libraries serialize one. Only messages with a `date_sent` match a date filter: one the carrier
/// has taken on but not yet sent is not "sent on" any day, so a lookup filtered by date misses it
/// until it is sent, exactly the gap a careful client has to allow for.
struct MessageListQuery: Sendable {
    static let defaultPageSize = 50
    static let maxPageSize = 1000

    enum PageToken: Sendable, Equatable {
        /// `PA<sid>`: the page after the one that ended with `sid`.
        case after(sid: String)
        /// `PB<sid>`: the page before the one that started with `sid`.
        case before(sid: String)
    }

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    var to: String?
    var from: String?
    /// Sent in this second or later (Unix seconds, inclusive).
    var sentFromSecond: Int64?
    /// Sent before this second (Unix seconds, exclusive).
    var sentBeforeSecond: Int64?
    var pageSize = Self.defaultPageSize
    var page = 0
    var pageToken: PageToken?
    private var rawPageToken: String?
    /// The filters as the client wrote them, carried into the page URIs.
    private var filterFields: [(String, String)] = []

    init(query: String) throws(Invalid) {
        for (name, value) in FormEncoding.decode(query) {
            switch name {
            case "To":
                to = value
                filterFields.append((name, value))
            case "From":
                from = value
                filterFields.append((name, value))
            case "DateSent":
                let day = try Self.dayStart(of: value, parameter: name)
                narrow(from: day, before: day + 86_400)
                filterFields.append((name, value))
            case "DateSent>", "DateSent>=":
                if let day = Self.utcDay(value) {
                    narrow(from: day, before: nil)
                } else {
                    narrow(from: try Self.instantSecond(value, parameter: name), before: nil)
                }
                filterFields.append((name, value))
            case "DateSent<", "DateSent<=":
                // "On or before" a date: the whole of that day is in.
                if let day = Self.utcDay(value) {
                    narrow(from: nil, before: day + 86_400)
                } else {
                    narrow(from: nil, before: try Self.instantSecond(value, parameter: name) + 1)
                }
                filterFields.append((name, value))
            case "PageSize":
                guard let size = Int(value), (1...Self.maxPageSize).contains(size) else {
                    throw Invalid(description: "PageSize must be an integer from 1 to \(Self.maxPageSize), not \(String(reflecting: value))")
                }
                pageSize = size
            case "Page":
                guard let number = Int(value), number >= 0, number <= 1_000_000 else {
                    throw Invalid(description: "Page must be a non-negative integer, not \(String(reflecting: value))")
                }
                page = number
            case "PageToken":
                let sid = String(value.dropFirst(2))
                switch value.prefix(2) {
                case "PA" where !sid.isEmpty: pageToken = .after(sid: sid)
                case "PB" where !sid.isEmpty: pageToken = .before(sid: sid)
                default: throw Invalid(description: "Invalid PageToken \(String(reflecting: value))")
                }
                rawPageToken = value
            default:
                // Twilio ignores parameters a list does not know.
                continue
            }
        }
    }

    private mutating func narrow(from: Int64?, before: Int64?) {
        if let from { sentFromSecond = max(sentFromSecond ?? from, from) }
        if let before { sentBeforeSecond = min(sentBeforeSecond ?? before, before) }
    }

    func matches(_ message: AcceptedMessage) -> Bool {
        if let to, message.to != to { return false }
        if let from, message.from != from { return false }
        if sentFromSecond != nil || sentBeforeSecond != nil {
            guard let sentAt = message.sentAt else { return false }
            // Whole seconds, as `date_sent` shows them.
            let second = Int64(sentAt.timeIntervalSince1970.rounded(.down))
            if let sentFromSecond, second < sentFromSecond { return false }
            if let sentBeforeSecond, second >= sentBeforeSecond { return false }
        }
        return true
    }

    /// One page of `matching`, which is newest first and already filtered.
    func page(of matching: [AcceptedMessage], accountSID: String) throws(Invalid) -> MessageListPage {
        let start: Int
        switch pageToken {
        case let .after(sid):
            guard let index = matching.firstIndex(where: { $0.sid == sid }) else {
                throw Invalid(description: "Invalid PageToken: \(sid) is not in this list")
            }
            start = index + 1
        case let .before(sid):
            guard let index = matching.firstIndex(where: { $0.sid == sid }) else {
                throw Invalid(description: "Invalid PageToken: \(sid) is not in this list")
            }
            start = max(0, index - pageSize)
        case nil:
            start = min(page * pageSize, matching.count)
        }
        let end = min(start + pageSize, matching.count)
        let items = Array(matching[start..<end])
        let path = "/\(MessagesAPI.apiVersion)/Accounts/\(accountSID)/Messages.json"
        func uri(page: Int, token: String?) -> String {
            var fields = filterFields + [("PageSize", String(pageSize)), ("Page", String(page))]
            if let token { fields.append(("PageToken", token)) }
            return path + "?" + FormEncoding.encode(fields)
        }
        return MessageListPage(
            messages: items.map { MessageResource(message: $0, accountSID: accountSID) },
            page: page,
            pageSize: pageSize,
            start: start,
            end: items.isEmpty ? start : start + items.count - 1,
            uri: uri(page: page, token: rawPageToken),
            firstPageURI: uri(page: 0, token: nil),
            nextPageURI: end < matching.count ? items.last.map { uri(page: page + 1, token: "PA\($0.sid)") } : nil,
            previousPageURI: start > 0 ? items.first.map { uri(page: max(0, page - 1), token: "PB\($0.sid)") } : nil
        )
    }

    // MARK: Dates

    private static func dayStart(of value: String, parameter: String) throws(Invalid) -> Int64 {
        if let day = utcDay(value) { return day }
        let second = try instantSecond(value, parameter: parameter)
        return second - ((second % 86_400) + 86_400) % 86_400
    }

    /// `YYYY-MM-DD` as the Unix second its UTC day starts, or nil if it is not one.
    static func utcDay(_ value: String) -> Int64? {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int32(parts[0]), let month = Int32(parts[1]), let day = Int32(parts[2]),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var fields = tm()
        fields.tm_year = year - 1900
        fields.tm_mon = month - 1
        fields.tm_mday = day
        let seconds = Int64(timegm(&fields))
        // timegm normalizes 2025-02-30 to March 2; such a date is not one.
        guard fields.tm_mday == day, fields.tm_mon == month - 1 else { return nil }
        return seconds
    }

    private static func instantSecond(_ value: String, parameter: String) throws(Invalid) -> Int64 {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions.insert(.withFractionalSeconds)
        guard let date = plain.date(from: value) ?? fractional.date(from: value) else {
            throw Invalid(description: "\(parameter) must be a date (YYYY-MM-DD, UTC) or an ISO 8601 time, not \(String(reflecting: value))")
        }
        return Int64(date.timeIntervalSince1970.rounded(.down))
    }
}

/// Twilio's list page: the messages and the URIs to walk the rest.
struct MessageListPage: Encodable {
    var messages: [MessageResource]
    var page: Int
    var pageSize: Int
    var start: Int
    var end: Int
    var uri: String
    var firstPageURI: String
    var nextPageURI: String?
    var previousPageURI: String?

    enum CodingKeys: String, CodingKey {
        case messages, page, start, end, uri
        case pageSize = "page_size"
        case firstPageURI = "first_page_uri"
        case nextPageURI = "next_page_uri"
        case previousPageURI = "previous_page_uri"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(messages, forKey: .messages)
        try container.encode(page, forKey: .page)
        try container.encode(pageSize, forKey: .pageSize)
        try container.encode(start, forKey: .start)
        try container.encode(end, forKey: .end)
        try container.encode(uri, forKey: .uri)
        try container.encode(firstPageURI, forKey: .firstPageURI)
        // Explicit nulls, as Twilio writes them on the last and first pages.
        try container.encode(nextPageURI, forKey: .nextPageURI)
        try container.encode(previousPageURI, forKey: .previousPageURI)
    }
}
