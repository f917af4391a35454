import Foundation
import GRDB
import HeraldCore

extension QueueDatabase {
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
            throw DirectoryChangeError.invalid("template \(String(reflecting: name)) has \(text.unicodeScalars.count) characters; at most \(Segmenter.maximumCharacters)")
        }
        return try await timedWrite { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM org WHERE id = ?)", arguments: [org])! else {
                throw DirectoryChangeError.unknownOrganization(org)
            }
            try db.execute(sql: """
                INSERT INTO message_template (org_id, name, body, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (org_id, name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
                """, arguments: [org, name, text, now.millis])
            try AdminChangeLog.append(actor: actor, command: "template_set", org: org, target: name, detail: String(reflecting: text), at: now.millis, in: db)
            return TemplateEntry(org: org, name: name, text: text, variables: variables)
        }
    }

    public func deleteTemplate(org: String, name: String, actor: String, now: Date) async throws {
        try await timedWrite { db in
            try db.execute(sql: "DELETE FROM message_template WHERE org_id = ? AND name = ?", arguments: [org, name])
            guard db.changesCount == 1 else { throw DirectoryChangeError.unknownTemplate(org: org, name: name) }
            try AdminChangeLog.append(actor: actor, command: "template_delete", org: org, target: name, detail: "", at: now.millis, in: db)
        }
    }

    public func templates(org: String) async throws -> [TemplateEntry] {
        try await pool.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM org WHERE id = ?)", arguments: [org])! else {
                throw DirectoryChangeError.unknownOrganization(org)
            }
            return try Row.fetchAll(db, sql: "SELECT name, body FROM message_template WHERE org_id = ? ORDER BY name", arguments: [org]).map {
                let text: String = $0["body"]
                return TemplateEntry(org: org, name: $0["name"], text: text, variables: (try? MessageTemplate(text).variables()) ?? [])
            }
        }
    }
}
