import Foundation
import HeraldCore
import PostgresNIO

/// Organizations and users made and changed with heraldctl (SQLite's OrganizationAdmin.swift):
/// validated against the whole resulting row, written with its `admin_change` entry in one
/// transaction, refused for rows herald.toml manages.
extension PostgresQueue {
    public func createOrganization(id: String, settings: OrganizationSettings, actor: String, now: Date) async throws -> OrganizationEntry {
        if let problem = AdminIdentifier.problem(id, what: "organization") { throw DirectoryChangeError.invalid(problem) }
        try Self.check(settings)
        return try await write { session in
            guard try await session.value("SELECT EXISTS (SELECT 1 FROM org WHERE id = \(id))", as: Bool.self) == false else {
                throw DirectoryChangeError.organizationExists(id)
            }
            try await Self.write(id: id, settings, insert: true, at: now.millis, in: session)
            try await PostgresAdminChangeLog.append(actor: actor, command: "org_create", org: id, target: id,
                                                    detail: OrganizationChanges.all(settings).summary, at: now.millis, in: session)
            return try await Self.organizations(id: id, in: session)[0]
        }
    }

    public func changeOrganization(id: String, changes: OrganizationChanges, actor: String, now: Date) async throws -> OrganizationEntry {
        try await write { session in
            guard let current = try await Self.organizations(id: id, in: session).first else { throw DirectoryChangeError.unknownOrganization(id) }
            guard current.managedBy == "admin" else { throw DirectoryChangeError.managedByConfiguration(org: id, user: nil) }
            let settings = changes.applied(to: current.settings)
            try Self.check(settings)
            try await Self.write(id: id, settings, insert: false, at: now.millis, in: session)
            try await PostgresAdminChangeLog.append(actor: actor, command: "org_set", org: id, target: id, detail: changes.summary,
                                                    at: now.millis, in: session)
            return try await Self.organizations(id: id, in: session)[0]
        }
    }

    public func organizations(id: String? = nil) async throws -> [OrganizationEntry] {
        try await read { session in try await Self.organizations(id: id, in: session) }
    }

    public func addUser(org: String, id: String, settings: UserSettings, actor: String, now: Date) async throws -> UserEntry {
        if let problem = AdminIdentifier.problem(id, what: "user") { throw DirectoryChangeError.invalid(problem) }
        let settings = try Self.check(settings)
        return try await write { session in
            guard try await session.value("SELECT EXISTS (SELECT 1 FROM org WHERE id = \(org))", as: Bool.self) == true else {
                throw DirectoryChangeError.unknownOrganization(org)
            }
            guard try await session.value("SELECT EXISTS (SELECT 1 FROM org_user WHERE org_id = \(org) AND id = \(id))", as: Bool.self) == false else {
                throw DirectoryChangeError.userExists(org: org, user: id)
            }
            try await session.execute("""
                INSERT INTO org_user (org_id, id, name, cell_phone, email, signature, forward_replies, managed_by, created_at, updated_at)
                VALUES (\(org), \(id), \(settings.name), \(settings.cellPhone), \(settings.email), \(settings.signature),
                    \(settings.forwardReplies), 'admin', \(now.millis), \(now.millis))
                """)
            let summary = UserChanges(name: settings.name, cellPhone: settings.cellPhone, email: settings.email, signature: settings.signature,
                                      forwardReplies: settings.forwardReplies).summary
            try await PostgresAdminChangeLog.append(actor: actor, command: "user_add", org: org, target: id, detail: summary,
                                                    at: now.millis, in: session)
            return try await Self.users(org: org, id: id, in: session)[0]
        }
    }

    public func changeUser(org: String, id: String, changes: UserChanges, actor: String, now: Date) async throws -> UserEntry {
        try await write { session in
            guard let current = try await Self.users(org: org, id: id, in: session).first else {
                guard try await session.value("SELECT EXISTS (SELECT 1 FROM org WHERE id = \(org))", as: Bool.self) == true else {
                    throw DirectoryChangeError.unknownOrganization(org)
                }
                throw DirectoryChangeError.unknownUser(org: org, user: id)
            }
            guard current.managedBy == "admin" else { throw DirectoryChangeError.managedByConfiguration(org: org, user: id) }
            let settings = try Self.check(changes.applied(to: current.settings))
            try await session.execute("""
                UPDATE org_user SET name = \(settings.name), cell_phone = \(settings.cellPhone), email = \(settings.email),
                    signature = \(settings.signature), forward_replies = \(settings.forwardReplies), updated_at = \(now.millis)
                WHERE org_id = \(org) AND id = \(id)
                """)
            try await PostgresAdminChangeLog.append(actor: actor, command: "user_set", org: org, target: id, detail: changes.summary,
                                                    at: now.millis, in: session)
            return try await Self.users(org: org, id: id, in: session)[0]
        }
    }

    public func users(org: String) async throws -> [UserEntry] {
        try await read { session in
            guard try await session.value("SELECT EXISTS (SELECT 1 FROM org WHERE id = \(org))", as: Bool.self) == true else {
                throw DirectoryChangeError.unknownOrganization(org)
            }
            return try await Self.users(org: org, id: nil, in: session)
        }
    }

    private static func check(_ settings: OrganizationSettings) throws {
        do { _ = try settings.validate() } catch { throw DirectoryChangeError.invalid(error.description) }
    }

    private static func check(_ settings: UserSettings) throws -> UserSettings {
        do { return try settings.validated() } catch { throw DirectoryChangeError.invalid(error.description) }
    }

    private static func write(id: String, _ settings: OrganizationSettings, insert: Bool, at: Int64, in session: PostgresSession) async throws {
        let texts = settings.texts
        if insert {
            try await session.execute("""
                INSERT INTO org (id, name, timezone, window_start, window_end, window_days, smart_encoding, optin_template,
                    optin_confirmation, optout_confirmation, help_text, created_at, updated_at, managed_by)
                VALUES (\(id), \(settings.name), \(settings.timeZone), \(settings.windowStart), \(settings.windowEnd), \(settings.weekdays),
                    \(settings.smartEncoding), \(texts[.optInRequest]), \(texts[.optInConfirmation]), \(texts[.optOutConfirmation]),
                    \(texts[.help]), \(at), \(at), 'admin')
                """)
        } else {
            try await session.execute("""
                UPDATE org SET name = \(settings.name), timezone = \(settings.timeZone), window_start = \(settings.windowStart),
                    window_end = \(settings.windowEnd), window_days = \(settings.weekdays), smart_encoding = \(settings.smartEncoding),
                    optin_template = \(texts[.optInRequest]), optin_confirmation = \(texts[.optInConfirmation]),
                    optout_confirmation = \(texts[.optOutConfirmation]), help_text = \(texts[.help]), updated_at = \(at)
                WHERE id = \(id)
                """)
        }
    }

    static func organizations(id: String?, in session: PostgresSession) async throws -> [OrganizationEntry] {
        var entries: [OrganizationEntry] = []
        for row in try await session.rows("""
            SELECT id, name, timezone, window_start, window_end, window_days, smart_encoding, paused, managed_by,
                optin_template, optin_confirmation, optout_confirmation, help_text
            FROM org WHERE \(id)::text IS NULL OR id = \(id) ORDER BY id
            """) {
            let (org, name, zone, start, end, days, smart, paused, managedBy, optIn, optInConfirmation, optOutConfirmation, help) = try row.decode(
                (String, String, String, String, String, String?, Bool, Bool, String, String?, String?, String?, String?).self)
            var texts: [ConsentTexts.Purpose: String] = [:]
            texts[.optInRequest] = optIn
            texts[.optInConfirmation] = optInConfirmation
            texts[.optOutConfirmation] = optOutConfirmation
            texts[.help] = help
            let settings = OrganizationSettings(name: name, timeZone: zone, windowStart: start, windowEnd: end, weekdays: days,
                                                smartEncoding: smart, texts: texts)
            entries.append(OrganizationEntry(id: org, managedBy: managedBy, paused: paused, settings: settings,
                                             users: try await users(org: org, id: nil, in: session)))
        }
        return entries
    }

    static func users(org: String, id: String?, in session: PostgresSession) async throws -> [UserEntry] {
        try await session.rows("""
            SELECT u.id, u.name, u.cell_phone, u.email, u.signature, u.forward_replies, u.paused, u.managed_by, u.credits,
                (SELECT e164 FROM phone_number p WHERE p.org_id = u.org_id AND p.user_id = u.id AND p.status = 'active')
            FROM org_user u WHERE u.org_id = \(org) AND (\(id)::text IS NULL OR u.id = \(id)) ORDER BY u.id
            """).map { row in
            let (user, name, cell, email, signature, forward, paused, managedBy, credits, number) = try row.decode(
                (String, String, String?, String?, String?, Bool, Bool, String, Int?, String?).self)
            return UserEntry(
                org: org, id: user, managedBy: managedBy, paused: paused,
                settings: UserSettings(name: name, cellPhone: cell, email: email, signature: signature, forwardReplies: forward),
                number: number, credits: credits
            )
        }
    }
}
