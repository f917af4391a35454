import Foundation
import GRDB
import HeraldCore

extension QueueDatabase {
    /// Stores a reply once, attributed to the organization owning the number it was sent to, and
    /// acts on its keyword (docs/consent.md) in the same transaction: the consent change, the messages it
    /// cancels or releases, and the one confirmation are all there or none is.
    /// - Parameter directory: the organizations' texts and senders, for the confirmation.
    /// - Parameter forwarding: whether replies are mailed to users who asked (`[email]` is set);
    ///   the forward is queued in this same transaction, so a stored reply is never missing one.
    public func receive(
        _ inbound: InboundReport, now: Date, directory: Directory, forwarding: Bool = false
    ) async throws -> StoredInbound {
        try await timedWrite { db in
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
                try KeywordReply(org: org, from: from, body: inbound.body, inboundID: stored.id,
                                 sender: directory.sender(number: inbound.to), directory: directory,
                                 transitions: MessageTransitions(db, at: at))
                    .act(on: keyword, into: &stored)
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

/// A contact's keyword and Herald's answer to it: fetches the facts Core's `ReplyKeywordPolicy`
/// needs, and carries out its answer.
private struct KeywordReply {
    var org: String
    var from: String
    var body: String
    var inboundID: Int64
    var sender: SenderProfile?
    var directory: Directory
    var transitions: MessageTransitions

    private var db: Database { transitions.db }

    func act(on keyword: ReplyKeyword?, into stored: inout StoredInbound) throws {
        if let state = ReplyKeywordPolicy.consentChange(for: keyword) {
            // The proof of an opt-in: the request the contact said yes to, when Herald sent one.
            let wording = state == .optedIn ? try String.fetchOne(db, sql: """
                SELECT body FROM message WHERE to_number = ? AND org_id = ? AND kind = 'opt_in_request' AND attempts > 0
                ORDER BY id DESC LIMIT 1
                """, arguments: [from, org]) : nil
            stored.consent = try ConsentLedger.apply(ConsentRequest(
                org: org, number: from, state: state, type: .smsResponse, changedBy: ConsentChange.contactByReply,
                sourceInboundID: inboundID, wording: wording,
                note: "replied \"\(body.trimmingCharacters(in: .whitespacesAndNewlines))\""
            ), transitions: transitions)
        }
        let answer = ReplyKeywordPolicy.answer(to: keyword, consentChanged: stored.consent?.changed ?? false,
                                               autoReply: keyword == nil ? try autoReplyAllowed() : false)
        stored.action = answer.action
        if let purpose = answer.reply { stored.reply = try reply(purpose) }
    }

    /// The facts for a conversation reply: the user has an auto-reply, the contact opted in, and
    /// none went to this contact within its period.
    private func autoReplyAllowed() throws -> Bool {
        guard let sender, let autoReply = sender.autoReply else { return false }
        let since = transitions.at - Int64(autoReply.period * 1000)
        let recent = try Bool.fetchOne(db, sql: """
            SELECT EXISTS (
                SELECT 1 FROM message m JOIN message_event e ON e.message_id = m.id AND e.from_state IS NULL
                WHERE m.to_number = ? AND m.org_id = ? AND m.user_id = ? AND m.created_at > ? AND e.reason = ?)
            """, arguments: [from, org, sender.userID, since, EventReason.ownText(.autoReply).code]) ?? false
        return ReplyKeywordPolicy.autoReplyAllowed(consent: try ConsentLedger.current(org: org, number: from, in: db),
                                                   answeredWithinPeriod: recent)
    }

    /// Herald's answer, from the number the contact wrote to: a `system` text (not held by
    /// windows, no consent needed), or the user's auto-reply as a conversational text.
    private func reply(_ purpose: OwnTextPurpose) throws -> Int64? {
        guard let sender else { return nil }
        let text = if let consentText = purpose.consentText {
            directory.consentText(consentText, org: org, sender: sender)
        } else {
            sender.autoReply?.text
        }
        guard let text else { return nil }
        return try OwnMessages.queue(OwnText(
            org: org, sender: sender, to: from, body: text, kind: purpose == .autoReply ? .conversational : .system,
            placement: Placement(notBefore: Date(millis: transitions.at)), purpose: purpose,
            detail: "answers inbound message \(inboundID)"
        ), transitions: transitions)
    }
}
