import Foundation
import GRDB
import HeraldCore

extension QueueDatabase {
    /// Brings organizations, users and their active numbers in line with the configuration.
    /// Nothing is deleted: messages keep pointing at what they were sent from.
    public func upsert(organizations: [OrganizationRecord], now: Date) async throws {
        let at = now.millis
        try await pool.write { db in
            for org in organizations {
                try db.execute(sql: """
                    INSERT INTO org (id, name, timezone, window_start, window_end, window_days, smart_encoding,
                        optin_template, optin_confirmation, optout_confirmation, help_text, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET name = excluded.name, timezone = excluded.timezone,
                        window_start = excluded.window_start, window_end = excluded.window_end,
                        window_days = excluded.window_days, smart_encoding = excluded.smart_encoding,
                        optin_template = excluded.optin_template, optin_confirmation = excluded.optin_confirmation,
                        optout_confirmation = excluded.optout_confirmation, help_text = excluded.help_text,
                        managed_by = 'config', updated_at = excluded.updated_at
                    """, arguments: [org.id, org.name, org.timeZone, org.windowStart, org.windowEnd,
                                     org.windowDays?.joined(separator: ","), org.smartEncoding,
                                     org.consentTexts.optInRequest.text, org.consentTexts.optInConfirmation.text,
                                     org.consentTexts.optOutConfirmation.text, org.consentTexts.help.text, at, at])
                for sender in org.senders {
                    try db.execute(sql: """
                        INSERT INTO user (org_id, id, name, auto_reply, auto_reply_period, cell_phone, signature, email, forward_replies,
                            created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(org_id, id) DO UPDATE SET name = excluded.name, auto_reply = excluded.auto_reply,
                            auto_reply_period = excluded.auto_reply_period, cell_phone = excluded.cell_phone,
                            signature = excluded.signature, email = excluded.email, forward_replies = excluded.forward_replies,
                            managed_by = 'config', updated_at = excluded.updated_at
                        """, arguments: [org.id, sender.userID, sender.name, sender.autoReply?.text,
                                         sender.autoReply.map { Int64($0.period) }, sender.cellPhone, sender.signature,
                                         sender.email, sender.forwardReplies, at, at])
                    // A user has at most one active number: retire any other before taking this one.
                    try db.execute(sql: """
                        UPDATE phone_number SET status = 'released', released_at = ?
                        WHERE status = 'active' AND ((org_id = ? AND user_id = ?) OR e164 = ?)
                          AND NOT (org_id = ? AND user_id = ? AND e164 = ?)
                        """, arguments: [at, org.id, sender.userID, sender.number, org.id, sender.userID, sender.number])
                    try db.execute(sql: """
                        INSERT INTO phone_number (e164, org_id, user_id, number_type, rate, status, provisioned_at)
                        VALUES (?, ?, ?, ?, ?, 'active', ?)
                        ON CONFLICT(e164) WHERE status = 'active' DO UPDATE SET number_type = excluded.number_type, rate = excluded.rate
                        """, arguments: [sender.number, org.id, sender.userID, sender.numberType, sender.rate, at])
                }
            }
        }
    }

    public func loadDirectory() async throws -> Directory {
        try await pool.read { db in try Self.loadDirectory(db) }
    }

    static func loadDirectory(_ db: Database) throws -> Directory {
        var templates: [String: [String: MessageTemplate]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT org_id, name, body FROM message_template") {
            templates[row["org_id"], default: [:]][row["name"]] = MessageTemplate(row["body"])
        }
        let orgs = try Row.fetchAll(db, sql: """
            SELECT id, name, timezone, paused, window_start, window_end, window_days, smart_encoding,
                optin_template, optin_confirmation, optout_confirmation, help_text
            FROM org
            """).map {
            OrganizationProfile(id: $0["id"], name: $0["name"], timeZone: $0["timezone"], paused: $0["paused"],
                                smartEncoding: $0["smart_encoding"],
                                window: try window(timeZone: $0["timezone"], start: $0["window_start"], end: $0["window_end"], days: $0["window_days"]),
                                consentTexts: consentTexts($0), templates: templates[$0["id"]] ?? [:])
        }
        let senders = try Row.fetchAll(db, sql: """
            SELECT p.org_id, p.user_id, p.e164, COALESCE(p.rate, 1.0) AS rate, COALESCE(u.paused, 0) AS paused, u.name,
                u.auto_reply, u.auto_reply_period, u.signature
            FROM phone_number p LEFT JOIN user u ON u.org_id = p.org_id AND u.id = p.user_id
            WHERE p.status = 'active' AND p.user_id IS NOT NULL
            """).map { row in
            let period: Int64 = row["auto_reply_period"] ?? Int64(AutoReply.defaultPeriod)
            return SenderProfile(
                orgID: row["org_id"], userID: row["user_id"], number: row["e164"], rate: row["rate"], paused: row["paused"],
                name: row["name"], autoReply: (row["auto_reply"] as String?).map { AutoReply(text: $0, period: TimeInterval(period)) },
                signature: row["signature"]
            )
        }
        return Directory(organizations: orgs, senders: senders)
    }

    /// Columns left NULL (rows written before migration v5) mean Herald's standard wording.
    static func consentTexts(_ row: Row) -> ConsentTexts {
        let standard = ConsentTexts.standard
        func text(_ column: String, _ fallback: MessageTemplate) -> MessageTemplate {
            (row[column] as String?).map(MessageTemplate.init) ?? fallback
        }
        return ConsentTexts(
            optInRequest: text("optin_template", standard.optInRequest),
            optInConfirmation: text("optin_confirmation", standard.optInConfirmation),
            optOutConfirmation: text("optout_confirmation", standard.optOutConfirmation),
            help: text("help_text", standard.help)
        )
    }

    /// The org's sending window as stored. Rows come from validated configuration; a row that
    /// no longer parses is an error rather than a silent fallback to some default window.
    static func window(timeZone: String, start: String, end: String, days: String?) throws -> SendingWindow {
        guard let from = TimeOfDay(parsing: start), let to = TimeOfDay(parsing: end) else {
            throw StoreError.badOrganizationRow(detail: "window \(start)-\(end) is not HH:MM-HH:MM")
        }
        var weekdays = Set(Weekday.allCases)
        if let days, !days.isEmpty {
            let parsed = days.split(separator: ",").map { Weekday(rawValue: String($0)) }
            guard parsed.allSatisfy({ $0 != nil }) else {
                throw StoreError.badOrganizationRow(detail: "window_days \(days) is not a list of mon..sun")
            }
            weekdays = Set(parsed.compactMap { $0 })
        }
        do {
            return try SendingWindow(start: from, end: to, days: weekdays, timeZone: timeZone)
        } catch {
            throw StoreError.badOrganizationRow(detail: "\(error)")
        }
    }
}
