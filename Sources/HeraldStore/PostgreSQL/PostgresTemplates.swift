import Foundation
import HeraldCore
import PostgresNIO

/// Named message templates per organization (SQLite's Templates.swift); Core's `MessageTemplate` checks them.
extension PostgresQueue {
    public func setTemplate(org: String, name: String, text: String, actor: String, now: Date) async throws -> TemplateEntry {
        if let problem = AdminIdentifier.problem(name, what: "template") { throw DirectoryChangeError.invalid(problem) }
        let variables: [String]
        do {
            variables = try MessageTemplate(text).variables()
        } catch {
            throw DirectoryChangeError.invalid("template \(String(reflecting: name)): \(error)")
        }
        guard text.contains(where: { !$0.isWhitespace }) else { throw DirectoryChangeError.invalid("template \(String(reflecting: name)) is empty") }
        guard text.unicodeScalars.count <= Segmenter.maximumCharacters else {
            throw DirectoryChangeError.invalid(
                "template \(String(reflecting: name)) has \(text.unicodeScalars.count) characters; at most \(Segmenter.maximumCharacters)")
        }
        return try await write { session in
            guard try await session.value("SELECT EXISTS (SELECT 1 FROM org WHERE id = \(org))", as: Bool.self) == true else {
                throw DirectoryChangeError.unknownOrganization(org)
            }
            try await session.execute("""
                INSERT INTO message_template (org_id, name, body, updated_at) VALUES (\(org), \(name), \(text), \(now.millis))
                ON CONFLICT (org_id, name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
                """)
            try await PostgresAdminChangeLog.append(actor: actor, command: "template_set", org: org, target: name,
                                                    detail: String(reflecting: text), at: now.millis, in: session)
            return TemplateEntry(org: org, name: name, text: text, variables: variables)
        }
    }

    public func deleteTemplate(org: String, name: String, actor: String, now: Date) async throws {
        try await write { session in
            guard try await session.changes("DELETE FROM message_template WHERE org_id = \(org) AND name = \(name) RETURNING 1") == 1 else {
                throw DirectoryChangeError.unknownTemplate(org: org, name: name)
            }
            try await PostgresAdminChangeLog.append(actor: actor, command: "template_delete", org: org, target: name, detail: "",
                                                    at: now.millis, in: session)
        }
    }

    public func templates(org: String) async throws -> [TemplateEntry] {
        try await read { session in
            guard try await session.value("SELECT EXISTS (SELECT 1 FROM org WHERE id = \(org))", as: Bool.self) == true else {
                throw DirectoryChangeError.unknownOrganization(org)
            }
            return try await session.rows("SELECT name, body FROM message_template WHERE org_id = \(org) ORDER BY name").map { row in
                let (name, text) = try row.decode((String, String).self)
                return TemplateEntry(org: org, name: name, text: text, variables: (try? MessageTemplate(text).variables()) ?? [])
            }
        }
    }
}
