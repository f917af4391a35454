import Foundation
import GRDB
import HeraldCore

/// A text Herald writes itself rather than a producer: a keyword's confirmation, a HELP answer,
/// an opt-in request. It joins the queue like any message, with an event naming why it exists.
struct OwnMessage {
    var org: String
    var sender: SenderProfile
    var to: String
    var body: String
    var kind: MessageKind
    var placement: Placement
    /// The event reason of its first transition, e.g. `optout_confirmation`.
    var reason: String
    var detail: String?

    private static let segmenter = Segmenter()

    /// Inserts the message and its first event; returns its id.
    func insert(at: Int64, in db: Database) throws -> Int64 {
        let id = try MessageIDs.next(db)
        let segmented = Self.segmenter.segment(body)
        let state: MessageState = placement.heldReason == nil ? .queued : .scheduled
        try db.execute(sql: """
            INSERT INTO message (id, org_id, user_id, from_number, to_number, body, kind, priority, state, held_reason,
                not_before, segments, encoding, carrier_key, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, org, sender.userID, sender.number, to, body, kind.rawValue, kind.priority, state.rawValue,
                             placement.heldReason?.rawValue, placement.notBefore.millis, segmented.segments,
                             segmented.encoding.rawValue, CarrierKey.make(messageID: id), at, at])
        let held = placement.heldReason.map { "; held \($0.rawValue) until \(Timestamp.format(placement.notBefore))" } ?? ""
        try EventLog(db, at: at).append(Transition(id, from: nil, to: state, reason: reason, detail: (detail ?? "") + held))
        return id
    }
}
