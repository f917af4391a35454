import Foundation
import HeraldCore
import PostgresNIO

extension PostgresQueue {
    /// Stores a reply once, attributed to the organization owning the number it was sent to, and
    /// acts on its keyword in the same transaction (SQLite's InboundMessages.swift): the consent
    /// change, the messages it cancels or releases, the one answer, and the forward by email.
    public func receive(
        _ inbound: InboundReport, now: Date, directory: Directory, forwarding: Bool = false
    ) async throws -> StoredInbound {
        try await write { session in
            // A carrier redelivering a webhook to two instances at once: one stores it, the other waits here and finds it.
            if let sid = inbound.sid {
                try await session.execute("SELECT pg_advisory_xact_lock(hashtextextended(\(sid), 1))")
                if let row = try await session.rows(
                    "SELECT id, org_id, keyword, action FROM inbound_message WHERE carrier_sid = \(sid)").first {
                    let (id, org, keyword, action) = try row.decode((Int64, String?, String?, String?).self)
                    return StoredInbound(id: id, orgID: org, isNew: false, keyword: keyword.flatMap(ReplyKeyword.init(rawValue:)),
                                         action: action.flatMap(InboundAction.init(rawValue:)))
                }
            }
            let at = now.millis
            let org = try await session.value(
                "SELECT org_id FROM phone_number WHERE e164 = \(inbound.to) AND status = 'active'", as: String.self)
            let from = (try? PhoneNumber.parse(inbound.from).get())?.e164 ?? inbound.from
            let id = try await session.value("""
                INSERT INTO inbound_message (org_id, from_number, to_number, body, received_at, carrier_sid)
                VALUES (\(org), \(from), \(inbound.to), \(inbound.body), \(at), \(inbound.sid)) RETURNING id
                """, as: Int64.self) ?? 0
            var stored = StoredInbound(id: id, orgID: org, isNew: true)
            if let org {
                let keyword = ReplyKeyword.match(inbound.body)
                stored.keyword = keyword
                try await PostgresKeywordReply(org: org, from: from, body: inbound.body, inboundID: id,
                                               sender: directory.sender(number: inbound.to), directory: directory,
                                               transitions: PostgresTransitions(session, at: at))
                    .act(on: keyword, into: &stored)
                if forwarding {
                    stored.forward = try await Self.enqueueForward(inboundID: id, org: org, to: inbound.to, at: at, in: session)
                }
            } else {
                stored.action = .unknownNumber
            }
            try await session.execute("""
                UPDATE inbound_message SET keyword = \(stored.keyword?.rawValue), action = \(stored.action?.rawValue) WHERE id = \(id)
                """)
            return stored
        }
    }
}

/// A contact's keyword and Herald's answer to it: the facts Core's `ReplyKeywordPolicy` needs,
/// and its answer carried out.
private struct PostgresKeywordReply {
    var org: String
    var from: String
    var body: String
    var inboundID: Int64
    var sender: SenderProfile?
    var directory: Directory
    var transitions: PostgresTransitions

    private var session: PostgresSession { transitions.session }

    func act(on keyword: ReplyKeyword?, into stored: inout StoredInbound) async throws {
        if let state = ReplyKeywordPolicy.consentChange(for: keyword) {
            // The proof of an opt-in: the request the contact said yes to, when Herald sent one.
            let wording = state == .optedIn ? try await session.value("""
                SELECT body FROM message WHERE to_number = \(from) AND org_id = \(org) AND kind = 'opt_in_request' AND attempts > 0
                ORDER BY id DESC LIMIT 1
                """, as: String.self) : nil
            stored.consent = try await PostgresConsentLedger.apply(ConsentRequest(
                org: org, number: from, state: state, type: .smsResponse, changedBy: ConsentChange.contactByReply,
                sourceInboundID: inboundID, wording: wording,
                note: "replied \"\(body.trimmingCharacters(in: .whitespacesAndNewlines))\""
            ), transitions: transitions)
        }
        let autoReply = keyword == nil ? try await autoReplyAllowed() : false
        let answer = ReplyKeywordPolicy.answer(to: keyword, consentChanged: stored.consent?.changed ?? false, autoReply: autoReply)
        stored.action = answer.action
        if let purpose = answer.reply { stored.reply = try await reply(purpose) }
    }

    private func autoReplyAllowed() async throws -> Bool {
        guard let sender, let autoReply = sender.autoReply else { return false }
        let since = transitions.at - Int64(autoReply.period * 1000)
        let recent = try await session.value("""
            SELECT EXISTS (
                SELECT 1 FROM message m JOIN message_event e ON e.message_id = m.id AND e.from_state IS NULL
                WHERE m.to_number = \(from) AND m.org_id = \(org) AND m.user_id = \(sender.userID) AND m.created_at > \(since)
                  AND e.reason = \(EventReason.ownText(.autoReply).code))
            """, as: Bool.self) ?? false
        return ReplyKeywordPolicy.autoReplyAllowed(
            consent: try await PostgresConsentLedger.current(org: org, number: from, in: session), answeredWithinPeriod: recent)
    }

    private func reply(_ purpose: OwnTextPurpose) async throws -> Int64? {
        guard let sender else { return nil }
        let text = if let consentText = purpose.consentText {
            directory.consentText(consentText, org: org, sender: sender)
        } else {
            sender.autoReply?.text
        }
        guard let text else { return nil }
        return try await PostgresOwnMessages.queue(OwnText(
            org: org, sender: sender, to: from, body: text, kind: purpose == .autoReply ? .conversational : .system,
            placement: Placement(notBefore: Date(millis: transitions.at)), purpose: purpose,
            detail: "answers inbound message \(inboundID)"
        ), transitions: transitions)
    }
}
