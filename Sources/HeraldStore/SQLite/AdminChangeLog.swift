import GRDB

/// The `admin_change` table: every change made over the admin socket to organizations, users,
/// templates and credits, with who made it, written in the change's own transaction.
enum AdminChangeLog {
    static func append(actor: String, command: String, org: String?, target: String?, detail: String, at: Int64, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO admin_change (at, actor, command, org_id, target, detail) VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [at, actor, command, org, target, detail])
    }
}
