import Foundation
import HeraldCore
import PostgresNIO

/// The configuration's organizations, users and numbers, and the directory the daemon works from
/// (SQLite's DirectoryStore.swift, on PostgreSQL).
extension PostgresQueue {
    /// Brings organizations, users and their active numbers in line with the configuration.
    /// Nothing is deleted: messages keep pointing at what they were sent from.
    public func upsert(organizations: [OrganizationRecord], now: Date) async throws {
        let at = now.millis
        try await write { session in
            for org in organizations {
                try await session.execute("""
                    INSERT INTO org (id, name, timezone, window_start, window_end, window_days, smart_encoding,
                        optin_template, optin_confirmation, optout_confirmation, help_text, created_at, updated_at)
                    VALUES (\(org.id), \(org.name), \(org.timeZone), \(org.windowStart), \(org.windowEnd),
                        \(org.windowDays?.joined(separator: ",")), \(org.smartEncoding),
                        \(org.consentTexts.optInRequest.text), \(org.consentTexts.optInConfirmation.text),
                        \(org.consentTexts.optOutConfirmation.text), \(org.consentTexts.help.text), \(at), \(at))
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, timezone = excluded.timezone,
                        window_start = excluded.window_start, window_end = excluded.window_end,
                        window_days = excluded.window_days, smart_encoding = excluded.smart_encoding,
                        optin_template = excluded.optin_template, optin_confirmation = excluded.optin_confirmation,
                        optout_confirmation = excluded.optout_confirmation, help_text = excluded.help_text,
                        managed_by = 'config', updated_at = excluded.updated_at
                    """)
                for sender in org.senders {
                    try await session.execute("""
                        INSERT INTO org_user (org_id, id, name, auto_reply, auto_reply_period, cell_phone, signature, email, forward_replies,
                            created_at, updated_at)
                        VALUES (\(org.id), \(sender.userID), \(sender.name), \(sender.autoReply?.text), \(sender.autoReply.map { Int64($0.period) }),
                            \(sender.cellPhone), \(sender.signature), \(sender.email), \(sender.forwardReplies), \(at), \(at))
                        ON CONFLICT (org_id, id) DO UPDATE SET name = excluded.name, auto_reply = excluded.auto_reply,
                            auto_reply_period = excluded.auto_reply_period, cell_phone = excluded.cell_phone,
                            signature = excluded.signature, email = excluded.email, forward_replies = excluded.forward_replies,
                            managed_by = 'config', updated_at = excluded.updated_at
                        """)
                    // A user has at most one active number: retire any other before taking this one.
                    try await session.execute("""
                        UPDATE phone_number SET status = 'released', released_at = \(at)
                        WHERE status = 'active' AND ((org_id = \(org.id) AND user_id = \(sender.userID)) OR e164 = \(sender.number))
                          AND NOT (org_id = \(org.id) AND user_id = \(sender.userID) AND e164 = \(sender.number))
                        """)
                    try await session.execute("""
                        INSERT INTO phone_number (e164, org_id, user_id, number_type, rate, status, provisioned_at)
                        VALUES (\(sender.number), \(org.id), \(sender.userID), \(sender.numberType), \(sender.rate), 'active', \(at))
                        ON CONFLICT (e164) WHERE status = 'active' DO UPDATE SET number_type = excluded.number_type, rate = excluded.rate
                        """)
                }
            }
        }
    }

    public func loadDirectory() async throws -> Directory {
        try await read { session in
            var templates: [String: [String: MessageTemplate]] = [:]
            for row in try await session.rows("SELECT org_id, name, body FROM message_template") {
                let (org, name, body) = try row.decode((String, String, String).self)
                templates[org, default: [:]][name] = MessageTemplate(body)
            }
            let orgs = try await session.rows("""
                SELECT id, name, timezone, paused, window_start, window_end, window_days, smart_encoding,
                    optin_template, optin_confirmation, optout_confirmation, help_text
                FROM org
                """).map { row in
                let (id, name, zone, paused, start, end, days, smart, optIn, optInConfirmation, optOutConfirmation, help) = try row.decode(
                    (String, String, String, Bool, String, String, String?, Bool, String?, String?, String?, String?).self)
                let standard = ConsentTexts.standard
                return OrganizationProfile(
                    id: id, name: name, timeZone: zone, paused: paused, smartEncoding: smart,
                    window: try QueueDatabase.window(timeZone: zone, start: start, end: end, days: days),
                    consentTexts: ConsentTexts(
                        optInRequest: optIn.map(MessageTemplate.init) ?? standard.optInRequest,
                        optInConfirmation: optInConfirmation.map(MessageTemplate.init) ?? standard.optInConfirmation,
                        optOutConfirmation: optOutConfirmation.map(MessageTemplate.init) ?? standard.optOutConfirmation,
                        help: help.map(MessageTemplate.init) ?? standard.help
                    ),
                    templates: templates[id] ?? [:]
                )
            }
            let senders = try await session.rows("""
                SELECT p.org_id, p.user_id, p.e164, COALESCE(p.rate, 1.0), COALESCE(u.paused, false), u.name,
                    u.auto_reply, u.auto_reply_period, u.signature
                FROM phone_number p LEFT JOIN org_user u ON u.org_id = p.org_id AND u.id = p.user_id
                WHERE p.status = 'active' AND p.user_id IS NOT NULL
                """).map { row in
                let (org, user, number, rate, paused, name, autoReply, period, signature) = try row.decode(
                    (String, String, String, Double, Bool, String?, String?, Int64?, String?).self)
                return SenderProfile(
                    orgID: org, userID: user, number: number, rate: rate, paused: paused, name: name,
                    autoReply: autoReply.map { AutoReply(text: $0, period: TimeInterval(period ?? Int64(AutoReply.defaultPeriod))) },
                    signature: signature
                )
            }
            return Directory(organizations: orgs, senders: senders)
        }
    }

    /// `org/user` of every user who asked for replies by email.
    public func usersForwardingReplies() async throws -> [String] {
        try await read { session in
            try await session.values("SELECT org_id || '/' || id FROM org_user WHERE forward_replies ORDER BY org_id, id", as: String.self)
        }
    }
}
