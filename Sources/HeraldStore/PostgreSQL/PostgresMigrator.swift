import Foundation
import PostgresNIO

/// Runs the steps of `PostgresMigrations` a database has not run yet, each in its own
/// transaction with its record in `herald_migration`, under an advisory lock so that instances
/// starting together migrate once. Refuses a database that ran steps this Herald does not know
/// (a newer Herald wrote it) or whose recorded steps differ from the ones shipped.
enum PostgresMigrator {
    static func migrate(_ session: PostgresSession, location: String) async throws {
        try await session.execute("SELECT pg_advisory_lock(\(PostgresMigrations.advisoryLock))")
        do {
            try await run(session, location: location)
        } catch {
            _ = try? await session.execute("SELECT pg_advisory_unlock(\(PostgresMigrations.advisoryLock))")
            throw error
        }
        try await session.execute("SELECT pg_advisory_unlock(\(PostgresMigrations.advisoryLock))")
    }

    private static func run(_ session: PostgresSession, location: String) async throws {
        try await session.execute(PostgresQuery(unsafeSQL: PostgresMigrations.bookkeeping))
        var applied: [String: String] = [:]
        for row in try await session.rows("SELECT identifier, md5 FROM herald_migration") {
            let (identifier, md5) = try row.decode((String, String).self)
            applied[identifier] = md5
        }
        let known = Set(PostgresMigrations.steps.map(\.identifier))
        let unknown = applied.keys.filter { !known.contains($0) }.sorted()
        guard unknown.isEmpty else { throw StoreError.newerSchema(path: location, unknownMigrations: unknown) }
        for (position, step) in PostgresMigrations.steps.enumerated() {
            let md5 = try await session.value("SELECT md5(\(step.sql))", as: String.self) ?? ""
            if let recorded = applied[step.identifier] {
                guard recorded == md5 else {
                    throw StoreError.migrationFailed(path: location, reason: "schema step \(step.identifier) differs from the one this database ran (MD5 \(recorded), now \(md5)): a released step was edited")
                }
                continue
            }
            do {
                try await session.execute("BEGIN")
                for statement in PostgresStatements.split(step.sql) {
                    try await session.execute(PostgresQuery(unsafeSQL: statement))
                }
                try await session.execute("""
                    INSERT INTO herald_migration (identifier, position, md5) VALUES (\(step.identifier), \(position + 1), \(md5))
                    """)
                try await session.execute("COMMIT")
            } catch {
                _ = try? await session.execute("ROLLBACK")
                throw StoreError.migrationFailed(path: location, reason: "step \(step.identifier): \(PostgresQueue.describe(error))")
            }
        }
    }
}
