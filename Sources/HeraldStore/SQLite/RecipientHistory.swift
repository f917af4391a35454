import Foundation
import GRDB
import HeraldCore

/// When an organization's recent held-kind texts to one number went out, as frequency caps
/// (docs/windows.md) count them, including the picks of the claim in progress, which are not written
/// until the claim ends: two texts to one capped number in one batch must see each other.
///
/// A text counts from the moment the carrier accepted it (`sent_at`), or, while its post is in
/// flight, from its claim; texts the carrier refused or that wait for a retry do not count.
struct RecipientHistory {
    private var picks: [String: [Date]] = [:]

    /// The kinds sending windows hold are the kinds state rules govern; the others never count.
    private static let countedKinds = MessageKind.allCases.filter(\.isHeldBySendingWindow)
        .map { "'\($0.rawValue)'" }.joined(separator: ", ")

    /// Sends after `since`, in no particular order. One range scan of `message_recipient` over
    /// this org's texts to this number: the index leaves `sent_at` out, so accepting a text costs
    /// no index write, and a number's history is short enough to filter row by row.
    func sends(org: String, to: String, since: Date, in db: Database) throws -> [Date] {
        let statement = try db.cachedStatement(sql: """
            SELECT COALESCE(sent_at, updated_at) FROM message INDEXED BY message_recipient
            WHERE to_number = ?1 AND org_id = ?2 AND kind IN (\(Self.countedKinds))
                AND (sent_at > ?3 OR (sent_at IS NULL AND state = 'sending' AND updated_at > ?3))
            """)
        let written = try Int64.fetchAll(statement, arguments: [to, org, since.millis]).map(Date.init(millis:))
        return written + (picks[Self.key(org, to)] ?? [])
    }

    mutating func picked(org: String, to: String, at instant: Date) {
        picks[Self.key(org, to), default: []].append(instant)
    }

    private static func key(_ org: String, _ to: String) -> String { org + "\u{1F}" + to }
}
