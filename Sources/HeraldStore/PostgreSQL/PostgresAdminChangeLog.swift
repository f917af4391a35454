import PostgresNIO

/// The `admin_change` table: every change made over the admin socket, with who made it, written
/// in the change's own transaction (SQLite's AdminChangeLog).
enum PostgresAdminChangeLog {
    static func append(actor: String, command: String, org: String?, target: String?, detail: String, at: Int64,
                       in session: PostgresSession) async throws {
        try await session.execute("""
            INSERT INTO admin_change (at, actor, command, org_id, target, detail)
            VALUES (\(at), \(actor), \(command), \(org), \(target), \(detail))
            """)
    }
}
