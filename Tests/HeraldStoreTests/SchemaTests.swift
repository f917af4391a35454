import Foundation
import GRDB
import HeraldCore
@testable import HeraldStore
import Synchronization
import Testing

/// SQLite only: its file, its GRDB migrations and pragmas. PostgresQueueTests and
/// PostgresMigrationChecksumTests cover the PostgreSQL schema.
@Suite("Store: opening and migrating")
struct SchemaTests {
    @Test func migrationCreatesTablesViewsAndIndexes() async throws {
        let fixture = try await StoreFixture(seed: false)
        let objects = try await fixture.sqlite.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT type, name FROM sqlite_master").map { "\($0["type"] as String):\($0["name"] as String)" }
        }
        let expected = [
            "table:org", "table:user", "table:phone_number", "table:outbox", "table:message", "table:message_event",
            "table:inbound_message", "table:usage", "table:message_part",
            "view:messages", "view:message_events", "view:inbound_messages", "view:message_parts",
            "index:message_due", "index:message_state", "index:message_sid", "index:message_idempotency",
            "index:inbound_sid", "index:phone_number_active", "index:message_event_message",
            "index:message_retention", "index:inbound_retention", "index:message_recipient", "index:message_part_sid",
            "table:contact", "table:contact_number", "table:consent_ledger", "table:consent",
            "view:consents", "view:consent_history", "view:contacts",
            "trigger:consent_follows_ledger", "trigger:consent_ledger_no_update", "trigger:consent_ledger_no_delete",
            "table:reply_forward", "view:reply_forwards", "index:reply_forward_due",
            "table:contact_group", "table:contact_group_member", "table:broadcast", "view:broadcasts", "view:contact_groups",
            "index:contact_group_name", "index:broadcast_open", "index:message_broadcast", "index:message_reconcile",
            "index:message_paced",
        ]
        for name in expected { #expect(objects.contains(name), "missing \(name)") }
        let applied = try await fixture.sqlite.pool.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(applied == ["v1 queue", "v2 body retention", "v3 recipient index", "v4 message parts", "v5 consent", "v6 auto reply",
                            "v7 organizations", "v8 broadcast", "v9 reply forwarding", "v10 reconciliation",
                            "v11 state index predicate", "v12 paced index"])
        // Replaced by message_recipient, which serves the same lookups by number.
        #expect(!objects.contains("index:message_to"))
        let journal = try await fixture.sqlite.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    @Test func viewsHaveTheDocumentedColumns() async throws {
        let fixture = try await StoreFixture(seed: false)
        let columns = try await fixture.sqlite.pool.read { db in
            try ["messages", "message_events", "inbound_messages"].map { view in try db.columns(in: view).map(\.name) }
        }
        #expect(columns[0] == [
            "id", "org", "sender", "from_number", "to_number", "body", "kind", "state", "display_status", "held_reason",
            "reason", "detail", "not_before", "expires_at", "segments", "encoding", "carrier_sid", "carrier_status",
            "error_code", "attempts", "idempotency_key", "external_ref", "created_at", "updated_at", "body_purged_at",
            "broadcast_id",
        ])
        #expect(columns[1] == ["id", "message_id", "at", "from_state", "to_state", "reason", "detail", "http_status", "error_code", "carrier_status"])
        #expect(columns[2] == ["id", "org", "from_number", "to_number", "body", "received_at", "carrier_sid", "keyword", "action",
                               "body_purged_at"])
    }

    @Test func reopeningAMigratedDatabaseWorksAndKeepsData() async throws {
        let fixture = try await StoreFixture()
        let id = try await fixture.produce()
        try await fixture.ingest()
        let again = try QueueDatabase(path: fixture.path)
        #expect(try await again.message(id)?.state == .queued)
        try again.pool.close()
    }

    @Test func aDatabaseFromANewerHeraldIsRefused() async throws {
        let fixture = try await StoreFixture()
        let id = try await fixture.produce()
        try await fixture.sqlite.pool.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2 consent ledger')")
        }
        try fixture.sqlite.pool.close()
        do {
            _ = try QueueDatabase(path: fixture.path)
            Issue.record("opening a newer schema should fail")
        } catch let error {
            guard case let .newerSchema(path, unknown) = error else {
                Issue.record("expected newerSchema, got \(error)")
                return
            }
            #expect(path == fixture.path)
            #expect(unknown == ["v2 consent ledger"])
            #expect(error.description.contains("newer Herald"))
            #expect(error.description.contains("v2 consent ledger"))
            #expect(error.description.contains(fixture.path))
        }
        // Nothing was touched: the producer's row is still there.
        let check = try DatabaseQueue(path: fixture.path)
        #expect(try await check.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM outbox") } == id)
        #expect(try await check.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grdb_migrations") } == SQLiteMigrations.migrator.migrations.count + 1)
    }

    @Test func aFileThatIsNotSQLiteFailsWithAClearMessage() throws {
        let folder = try StoreFixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("herald.db").path
        let content = Data(String(repeating: "This is a shopping list, not a database.\n", count: 200).utf8)
        try content.write(to: URL(fileURLWithPath: path))
        do {
            _ = try QueueDatabase(path: path)
            Issue.record("a text file should not open as a queue database")
        } catch let error {
            guard case let .cannotOpen(errorPath, reason) = error else {
                Issue.record("expected cannotOpen, got \(error)")
                return
            }
            #expect(errorPath == path)
            #expect(reason.contains("not a database"))
            #expect(error.description.contains(path))
            #expect(error.description.contains("is a SQLite database"))
        }
        // The file is left exactly as it was.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == content)
    }

    @Test func aMissingDirectoryFailsWithCannotOpen() throws {
        let path = "/nonexistent-\(UUID().uuidString)/herald.db"
        do {
            _ = try QueueDatabase(path: path)
            Issue.record("opening in a missing directory should fail")
        } catch let error {
            guard case .cannotOpen(path, _) = error else {
                Issue.record("expected cannotOpen, got \(error)")
                return
            }
            #expect(error.description.contains("writable"))
        }
    }

    @Test("a producer that opens and closes its connection while heraldd creates and opens the file does not stop heraldd")
    func producersClosingDoNotFailTheOpen() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-open-race-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A producer's last close deletes the -wal file, and GRDB, opening the pool, looks at that
        // file between two calls; a producer polling for the schema at start-up, as the crash
        // test's does, hits that moment now and then.
        let rounds = 200
        let current = Mutex(folder.appendingPathComponent("herald-0.db").path)
        let stop = Atomic(false)
        let churned = Atomic(0)
        let producer = Thread {
            while !stop.load(ordering: .relaxed) {
                let path = current.withLock { $0 }
                if let queue = try? DatabaseQueue(path: path) {
                    _ = try? queue.read { db in try db.tableExists("outbox") }
                    try? queue.close()
                    churned.add(1, ordering: .relaxed)
                }
            }
        }
        producer.start()
        defer { stop.store(true, ordering: .relaxed) }
        for round in 0..<rounds {
            let path = folder.appendingPathComponent("herald-\(round).db").path
            current.withLock { $0 = path }
            do {
                try QueueDatabase(path: path).pool.close()
            } catch {
                Issue.record("open \(round + 1) of \(rounds) failed while a producer opened and closed its connection: \(error)")
                return
            }
        }
        #expect(churned.load(ordering: .relaxed) > 0, "the producer never got a connection in")
    }
}

@Suite("Store: durability")
struct DurabilityTests {
    @Test("the writer commits with synchronous = FULL in WAL mode, whatever GRDB set on opening")
    func writerSyncsEveryCommit() async throws {
        let fixture = try await StoreFixture(seed: false)
        let (mode, synchronous) = try await fixture.sqlite.pool.writeWithoutTransaction { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(mode == "wal")
        #expect(synchronous == 2)
    }
}
