import Foundation
import GRDB
import HeraldCore

/// Queues the texts Herald writes itself (Core's `OwnText`), through the intake rules and the
/// transitions owner like every other message.
enum OwnMessages {
    /// Inserts the text and its first event; returns its id.
    static func queue(_ text: OwnText, transitions: MessageTransitions, rules: IngestRules = IngestRules()) throws -> Int64 {
        let db = transitions.db
        let smartEncoding = try Bool.fetchOne(db.cachedStatement(sql: "SELECT smart_encoding FROM org WHERE id = ?"),
                                              arguments: [text.org]) ?? false
        let admitted = rules.admit(text, smartEncoding: smartEncoding)
        let id = try MessageIDs.next(db)
        try transitions.create(NewMessage(own: text, admitted: admitted, id: id))
        return id
    }
}
