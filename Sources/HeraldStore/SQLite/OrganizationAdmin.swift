import Foundation
import GRDB
import HeraldCore

/// Organizations and users made and changed with heraldctl (docs/domain.md). Each change is
/// validated against the whole resulting row, written with its `admin_change` entry in one
/// transaction, and refused for rows herald.toml manages.
extension QueueDatabase {
    public func createOrganization(id: String, settings: OrganizationSettings, actor: String, now: Date) async throws -> OrganizationEntry {
        if let problem = AdminIdentifier.problem(id, what: "organization") { throw DirectoryChangeError.invalid(problem) }
        try Self.check(settings)
        return try await timedWrite { db in
            guard try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM org WHERE id = ?)", arguments: [id])! else {
                throw DirectoryChangeError.organizationExists(id)
            }
            try Self.write(id: id, settings, insert: true, at: now.millis, in: db)
            try AdminChangeLog.append(actor: actor, command: "org_create", org: id, target: id,
                                      detail: OrganizationChanges.all(settings).summary, at: now.millis, in: db)
            return try Self.organizations(id: id, in: db)[0]
        }
    }

    public func changeOrganization(id: String, changes: OrganizationChanges, actor: String, now: Date) async throws -> OrganizationEntry {
        try await timedWrite { db in
            guard let current = try Self.organizations(id: id, in: db).first else { throw DirectoryChangeError.unknownOrganization(id) }
            guard current.managedBy == "admin" else { throw DirectoryChangeError.managedByConfiguration(org: id, user: nil) }
            let settings = changes.applied(to: current.settings)
            try Self.check(settings)
            try Self.write(id: id, settings, insert: false, at: now.millis, in: db)
            try AdminChangeLog.append(actor: actor, command: "org_set", org: id, target: id, detail: changes.summary, at: now.millis, in: db)
            return try Self.organizations(id: id, in: db)[0]
        }
    }

    /// Every organization, or one; nil `id` lists all.
    public func organizations(id: String? = nil) async throws -> [OrganizationEntry] {
        try await pool.read { db in try Self.organizations(id: id, in: db) }
    }

    public func addUser(org: String, id: String, settings: UserSettings, actor: String, now: Date) async throws -> UserEntry {
        if let problem = AdminIdentifier.problem(id, what: "user") { throw DirectoryChangeError.invalid(problem) }
        let settings = try Self.check(settings)
        return try await timedWrite { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM org WHERE id = ?)", arguments: [org])! else {
                throw DirectoryChangeError.unknownOrganization(org)
            }
            guard try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM user WHERE org_id = ? AND id = ?)", arguments: [org, id])! else {
                throw DirectoryChangeError.userExists(org: org, user: id)
            }
            try db.execute(sql: """
                INSERT INTO user (org_id, id, name, cell_phone, email, signature, forward_replies, managed_by, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'admin', ?, ?)
                """, arguments: [org, id, settings.name, settings.cellPhone, settings.email, settings.signature, settings.forwardReplies,
                                 now.millis, now.millis])
            let summary = UserChanges(name: settings.name, cellPhone: settings.cellPhone, email: settings.email, signature: settings.signature,
                                      forwardReplies: settings.forwardReplies).summary
            try AdminChangeLog.append(actor: actor, command: "user_add", org: org, target: id, detail: summary, at: now.millis, in: db)
            return try Self.users(org: org, id: id, in: db)[0]
        }
    }

    public func changeUser(org: String, id: String, changes: UserChanges, actor: String, now: Date) async throws -> UserEntry {
        try await timedWrite { db in
            guard let current = try Self.users(org: org, id: id, in: db).first else {
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM org WHERE id = ?)", arguments: [org])! else {
                    throw DirectoryChangeError.unknownOrganization(org)
                }
                throw DirectoryChangeError.unknownUser(org: org, user: id)
            }
            guard current.managedBy == "admin" else { throw DirectoryChangeError.managedByConfiguration(org: org, user: id) }
            let settings = try Self.check(changes.applied(to: current.settings))
            try db.execute(sql: """
                UPDATE user SET name = ?, cell_phone = ?, email = ?, signature = ?, forward_replies = ?, updated_at = ?
                WHERE org_id = ? AND id = ?
                """, arguments: [settings.name, settings.cellPhone, settings.email, settings.signature, settings.forwardReplies, now.millis, org, id])
            try AdminChangeLog.append(actor: actor, command: "user_set", org: org, target: id, detail: changes.summary, at: now.millis, in: db)
            return try Self.users(org: org, id: id, in: db)[0]
        }
    }

    public func users(org: String) async throws -> [UserEntry] {
        try await pool.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM org WHERE id = ?)", arguments: [org])! else {
                throw DirectoryChangeError.unknownOrganization(org)
            }
            return try Self.users(org: org, id: nil, in: db)
        }
    }

    private static func check(_ settings: OrganizationSettings) throws {
        do { _ = try settings.validate() } catch { throw DirectoryChangeError.invalid(error.description) }
    }

    private static func check(_ settings: UserSettings) throws -> UserSettings {
        do { return try settings.validated() } catch { throw DirectoryChangeError.invalid(error.description) }
    }

    private static func write(id: String, _ settings: OrganizationSettings, insert: Bool, at: Int64, in db: Database) throws {
        let arguments: StatementArguments = [
            settings.name, settings.timeZone, settings.windowStart, settings.windowEnd, settings.weekdays, settings.smartEncoding,
            settings.texts[.optInRequest], settings.texts[.optInConfirmation], settings.texts[.optOutConfirmation], settings.texts[.help],
            at, id,
        ]
        if insert {
            try db.execute(sql: """
                INSERT INTO org (id, name, timezone, window_start, window_end, window_days, smart_encoding, optin_template,
                    optin_confirmation, optout_confirmation, help_text, created_at, updated_at, managed_by)
                VALUES (?12, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, 'admin')
                """, arguments: arguments)
        } else {
            try db.execute(sql: """
                UPDATE org SET name = ?, timezone = ?, window_start = ?, window_end = ?, window_days = ?, smart_encoding = ?,
                    optin_template = ?, optin_confirmation = ?, optout_confirmation = ?, help_text = ?, updated_at = ?
                WHERE id = ?
                """, arguments: arguments)
        }
    }

    static func organizations(id: String?, in db: Database) throws -> [OrganizationEntry] {
        try Row.fetchAll(db, sql: """
            SELECT id, name, timezone, window_start, window_end, window_days, smart_encoding, paused, managed_by,
                optin_template, optin_confirmation, optout_confirmation, help_text
            FROM org WHERE ?1 IS NULL OR id = ?1 ORDER BY id
            """, arguments: [id]).map { row in
            var texts: [ConsentTexts.Purpose: String] = [:]
            for (purpose, column) in [(ConsentTexts.Purpose.optInRequest, "optin_template"), (.optInConfirmation, "optin_confirmation"),
                                      (.optOutConfirmation, "optout_confirmation"), (.help, "help_text")] {
                texts[purpose] = row[column]
            }
            let settings = OrganizationSettings(
                name: row["name"], timeZone: row["timezone"], windowStart: row["window_start"], windowEnd: row["window_end"],
                weekdays: row["window_days"], smartEncoding: row["smart_encoding"], texts: texts
            )
            return OrganizationEntry(id: row["id"], managedBy: row["managed_by"], paused: row["paused"], settings: settings,
                                     users: try users(org: row["id"], id: nil, in: db))
        }
    }

    static func users(org: String, id: String?, in db: Database) throws -> [UserEntry] {
        try Row.fetchAll(db, sql: """
            SELECT u.id, u.name, u.cell_phone, u.email, u.signature, u.forward_replies, u.paused, u.managed_by, u.credits,
                (SELECT e164 FROM phone_number p WHERE p.org_id = u.org_id AND p.user_id = u.id AND p.status = 'active') AS number
            FROM user u WHERE u.org_id = ?1 AND (?2 IS NULL OR u.id = ?2) ORDER BY u.id
            """, arguments: [org, id]).map { row in
            UserEntry(
                org: org, id: row["id"], managedBy: row["managed_by"], paused: row["paused"],
                settings: UserSettings(name: row["name"], cellPhone: row["cell_phone"], email: row["email"], signature: row["signature"],
                                       forwardReplies: row["forward_replies"]),
                number: row["number"], credits: row["credits"]
            )
        }
    }
}

extension OrganizationChanges {
    /// Every field of `settings`, for the log entry of a new organization.
    static func all(_ settings: OrganizationSettings) -> OrganizationChanges {
        OrganizationChanges(name: settings.name, timeZone: settings.timeZone, windowStart: settings.windowStart, windowEnd: settings.windowEnd,
                            weekdays: settings.weekdays ?? "", smartEncoding: settings.smartEncoding, texts: settings.texts)
    }
}
