import Foundation
import GRDB
import HeraldCore

public struct InboundReport: Sendable, Equatable {
    public var from: String
    public var to: String
    public var body: String
    public var sid: String?

    public init(from: String, to: String, body: String, sid: String?) {
        self.from = from
        self.to = to
        self.body = body
        self.sid = sid
    }
}

/// What a reply did, kept in `inbound_message.action` (SPEC §2).
public enum InboundAction: String, Sendable, Equatable, Codable {
    case optedOut = "opted_out"
    /// A repeated opt-out: recorded, but no second confirmation.
    case alreadyOptedOut = "already_opted_out"
    case optedIn = "opted_in"
    case alreadyOptedIn = "already_opted_in"
    case helpAnswered = "help_answered"
    /// Not a keyword: a reply in the conversation, for watchers (and the sender).
    case conversation
    /// A conversation reply the sending user's auto-reply answered.
    case autoReplied = "auto_replied"
    /// Sent to a number no organization has: stored, nothing else.
    case unknownNumber = "unknown_number"
}

public struct StoredInbound: Sendable, Equatable {
    public var id: Int64
    public var orgID: String?
    /// False when the carrier redelivered a webhook already stored; nothing is done twice.
    public var isNew: Bool
    public var keyword: ReplyKeyword?
    public var action: InboundAction?
    /// The confirmation or HELP answer queued in reply.
    public var reply: Int64?
    /// The consent change the reply made, if any.
    public var consent: ConsentEffect?
    /// The mail queued to forward the reply to its user (`reply_forward.id`).
    public var forward: Int64?
}

extension QueueDatabase {
    /// Stores a reply once, attributed to the organization owning the number it was sent to, and
    /// acts on its keyword (SPEC §6) in the same transaction: the consent change, the messages it
    /// cancels or releases, and the one confirmation are all there or none is.
    /// - Parameter directory: the organizations' texts and senders, for the confirmation.
    /// - Parameter forwarding: whether replies are mailed to users who asked (`[email]` is set);
    ///   the forward is queued in this same transaction, so a stored reply is never missing one.
    public func receive(
        _ inbound: InboundReport, now: Date, directory: Directory, forwarding: Bool = false
    ) async throws -> StoredInbound {
        try await pool.write { db in
            if let sid = inbound.sid,
               let existing = try Row.fetchOne(db, sql: "SELECT id, org_id, keyword, action FROM inbound_message WHERE carrier_sid = ?",
                                               arguments: [sid]) {
                return StoredInbound(id: existing["id"], orgID: existing["org_id"], isNew: false,
                                     keyword: (existing["keyword"] as String?).flatMap(ReplyKeyword.init(rawValue:)),
                                     action: (existing["action"] as String?).flatMap(InboundAction.init(rawValue:)))
            }
            let at = now.millis
            let org = try String.fetchOne(db, sql: "SELECT org_id FROM phone_number WHERE e164 = ? AND status = 'active'", arguments: [inbound.to])
            // Consent is kept under the number as ingest normalizes it.
            let from = (try? PhoneNumber.parse(inbound.from).get())?.e164 ?? inbound.from
            try db.execute(sql: """
                INSERT INTO inbound_message (org_id, from_number, to_number, body, received_at, carrier_sid) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [org, from, inbound.to, inbound.body, at, inbound.sid])
            var stored = StoredInbound(id: db.lastInsertedRowID, orgID: org, isNew: true)
            if let org {
                let keyword = ReplyKeyword.match(inbound.body)
                stored.keyword = keyword
                try KeywordReply(org: org, from: from, to: inbound.to, body: inbound.body, inboundID: stored.id,
                                 sender: directory.sender(number: inbound.to), directory: directory)
                    .act(on: keyword, at: at, into: &stored, in: db)
                // Keywords too: the user should see a STOP before answering the contact.
                if forwarding {
                    stored.forward = try Self.enqueueForward(inboundID: stored.id, org: org, to: inbound.to, at: at, in: db)
                }
            } else {
                stored.action = .unknownNumber
            }
            try db.execute(sql: "UPDATE inbound_message SET keyword = ?, action = ? WHERE id = ?",
                           arguments: [stored.keyword?.rawValue, stored.action?.rawValue, stored.id])
            return stored
        }
    }
}

/// A contact's keyword and Herald's answer to it.
private struct KeywordReply {
    var org: String
    var from: String
    var to: String
    var body: String
    var inboundID: Int64
    var sender: SenderProfile?
    var directory: Directory

    func act(on keyword: ReplyKeyword?, at: Int64, into stored: inout StoredInbound, in db: Database) throws {
        let said = "replied \"\(body.trimmingCharacters(in: .whitespacesAndNewlines))\""
        switch keyword {
        case .optOut:
            let effect = try ConsentLedger.apply(ConsentRequest(
                org: org, number: from, state: .optedOut, type: .smsResponse, changedBy: ConsentChange.contactByReply,
                sourceInboundID: inboundID, note: said
            ), at: at, in: db)
            stored.consent = effect
            stored.action = effect.changed ? .optedOut : .alreadyOptedOut
            if effect.changed { stored.reply = try reply(.optOutConfirmation, at: at, in: db) }
        case .optIn:
            // The proof: the request the contact said yes to, when Herald sent one.
            let wording = try String.fetchOne(db, sql: """
                SELECT body FROM message WHERE to_number = ? AND org_id = ? AND kind = 'opt_in_request' AND attempts > 0
                ORDER BY id DESC LIMIT 1
                """, arguments: [from, org])
            let effect = try ConsentLedger.apply(ConsentRequest(
                org: org, number: from, state: .optedIn, type: .smsResponse, changedBy: ConsentChange.contactByReply,
                sourceInboundID: inboundID, wording: wording, note: said
            ), at: at, in: db)
            stored.consent = effect
            stored.action = effect.changed ? .optedIn : .alreadyOptedIn
            if effect.changed { stored.reply = try reply(.optInConfirmation, at: at, in: db) }
        case .help:
            stored.action = .helpAnswered
            stored.reply = try reply(.help, at: at, in: db)
        case nil:
            stored.action = .conversation
            if let id = try autoReply(at: at, in: db) {
                stored.action = .autoReplied
                stored.reply = id
            }
        }
    }

    /// The user's auto-reply, as a conversational text: only to a contact who opted in, and at
    /// most once per contact per the user's period.
    private func autoReply(at: Int64, in db: Database) throws -> Int64? {
        guard let sender, let autoReply = sender.autoReply,
              try ConsentLedger.current(org: org, number: from, in: db) == .optedIn
        else { return nil }
        let since = at - Int64(autoReply.period * 1000)
        let recent = try Bool.fetchOne(db, sql: """
            SELECT EXISTS (
                SELECT 1 FROM message m JOIN message_event e ON e.message_id = m.id AND e.from_state IS NULL
                WHERE m.to_number = ? AND m.org_id = ? AND m.user_id = ? AND m.created_at > ? AND e.reason = 'auto_reply')
            """, arguments: [from, org, sender.userID, since]) ?? false
        guard !recent else { return nil }
        return try OwnMessage(
            org: org, sender: sender, to: from, body: autoReply.text, kind: .conversational,
            placement: Placement(notBefore: Date(millis: at)), reason: "auto_reply", detail: "answers inbound message \(inboundID)"
        ).insert(at: at, in: db)
    }

    /// A `system` text from the number the contact wrote to: not held by windows, no consent needed.
    private func reply(_ purpose: ConsentTexts.Purpose, at: Int64, in db: Database) throws -> Int64? {
        guard let sender, let text = directory.consentText(purpose, org: org, sender: sender) else { return nil }
        return try OwnMessage(
            org: org, sender: sender, to: from, body: text, kind: .system,
            placement: Placement(notBefore: Date(millis: at), heldReason: nil),
            reason: purpose.rawValue, detail: "answers inbound message \(inboundID)"
        ).insert(at: at, in: db)
    }
}
