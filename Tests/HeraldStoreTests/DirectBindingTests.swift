import Foundation
import GRDB
@testable import HeraldStore
import Testing

/// `DirectStatement.run`, `fetchText` and `forEachRow` bind and read by position past GRDB's argument
/// arrays and cursors; these are the ways that could go wrong.
@Suite("Store: statements bound directly")
struct DirectBindingTests {
    private func withDatabase(_ body: (Database) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-binding-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("binding.sqlite").path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT UNIQUE, count INTEGER, flag INTEGER)")
            try body(db)
        }
    }

    @Test("values of every kind arrive as SQLite values; nil is NULL and an empty string is not")
    func valuesArrive() throws {
        try withDatabase { db in
            let insert = DirectStatement(try db.cachedStatement(sql: "INSERT INTO item (id, name, count, flag) VALUES (?, ?, ?, ?)"))
            try insert.run(Int64(1), "café ☕︎", 42, true)
            try insert.run(Int64(2), "", Int?.none, false)
            try insert.run(Int64(3), String?.none, Int?.some(-7), Bool?.none)
            let rows = try Row.fetchAll(db, sql: "SELECT id, name, count, flag, typeof(name) AS type FROM item ORDER BY id")
            #expect(rows.map { $0["name"] as String? } == ["café ☕︎", "", nil])
            #expect(rows.map { $0["type"] as String } == ["text", "text", "null"])
            #expect(rows.map { $0["count"] as Int? } == [42, nil, -7])
            #expect(rows.map { $0["flag"] as Int? } == [1, 0, nil])
            #expect(try db.cachedStatement(sql: "SELECT name FROM item WHERE id = ?").fetchText(Int64(1)) == "café ☕︎")
            #expect(try db.cachedStatement(sql: "SELECT CAST(count AS TEXT) FROM item WHERE name = ?").fetchText("") == nil)
            #expect(try db.cachedStatement(sql: "SELECT CAST(count AS TEXT) FROM item WHERE id = ?").fetchText(Int64(3)) == "-7")
        }
    }

    @Test("a statement whose last run failed runs again with new values")
    func reusedAfterFailure() throws {
        try withDatabase { db in
            let insert = DirectStatement(try db.cachedStatement(sql: "INSERT INTO item (name) VALUES (?)"))
            try insert.run("one")
            #expect(throws: DatabaseError.self) { try insert.run("one") }
            try insert.run("two")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM item") == 2)
        }
    }

    @Test("a statement whose last run failed is taken up again by the next transaction's writer")
    func reusedByTheNextWriterAfterFailure() throws {
        try withDatabase { db in
            let sql = "INSERT INTO item (name) VALUES (?)"
            try DirectStatement(try db.cachedStatement(sql: sql)).run("one")
            #expect(throws: DatabaseError.self) { try DirectStatement(try db.cachedStatement(sql: sql)).run("one") }
            // The next transaction makes its own DirectStatement over the same cached statement.
            try DirectStatement(try db.cachedStatement(sql: sql)).run("two")
            // And GRDB's own failed run of it, then a run of ours.
            #expect(throws: DatabaseError.self) { try db.cachedStatement(sql: sql).execute(arguments: ["one"]) }
            try DirectStatement(try db.cachedStatement(sql: sql)).run("three")
            #expect(try String.fetchAll(db, sql: "SELECT name FROM item ORDER BY id") == ["one", "two", "three"])
        }
    }

    @Test("too few or too many values are an error naming both counts, and nothing runs")
    func countMismatch() throws {
        try withDatabase { db in
            let insert = DirectStatement(try db.cachedStatement(sql: "INSERT INTO item (name, count) VALUES (?, ?)"))
            do {
                try insert.run("only a name")
                Issue.record("one value for two parameters ran")
            } catch let error as DatabaseError {
                #expect(error.message?.contains("1 values for 2 parameters") == true)
            }
            #expect(throws: DatabaseError.self) { try insert.run("a", 1, 2) }
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM item") == 0)
        }
    }

    @Test("GRDB running the same cached SQL with its own arguments in between never leaves its values for the next run")
    func interleavedWithGRDB() throws {
        try withDatabase { db in
            let sql = "INSERT INTO item (name, count) VALUES (?, ?)"
            let insert = DirectStatement(try db.cachedStatement(sql: sql))
            try insert.run("direct", 1)
            try db.cachedStatement(sql: sql).execute(arguments: ["grdb", 2])
            try insert.run("direct again", 3)
            try db.cachedStatement(sql: sql).setArguments(["bound by grdb", 4])
            try insert.run("and again", 5)
            let rows = try Row.fetchAll(db, sql: "SELECT name, count FROM item ORDER BY id")
            #expect(rows.map { $0["name"] as String } == ["direct", "grdb", "direct again", "and again"])
            #expect(rows.map { $0["count"] as Int } == [1, 2, 3, 5])
        }
    }

    @Test("rows read in place: every SQLite type as text, NULL as nil, integers and nulls by position")
    func rowsReadInPlace() throws {
        try withDatabase { db in
            try db.execute(sql: """
                CREATE TABLE cell (id INTEGER PRIMARY KEY, value);
                INSERT INTO cell (id, value) VALUES (1, 'café ☕︎'), (2, 12025550123), (3, 1.5), (4, X'6869'), (5, NULL), (6, '');
                """)
            var texts: [String?] = []
            var ids: [Int64] = []
            try db.cachedStatement(sql: "SELECT id, value FROM cell WHERE id >= ? ORDER BY id").forEachRow(Int64(1)) { row in
                ids.append(row.int64(0))
                texts.append(row.text(1))
                #expect(row.isNull(1) == (row.int64(0) == 5))
                #expect(row.optionalInt64(1) == (row.int64(0) == 5 ? nil : row.int64(1)))
            }
            #expect(ids == [1, 2, 3, 4, 5, 6])
            #expect(texts == ["café ☕︎", "12025550123", "1.5", "hi", nil, ""])
            // The statement was left reset: it runs again at once, with new values.
            var again = 0
            try db.cachedStatement(sql: "SELECT id, value FROM cell WHERE id >= ? ORDER BY id").forEachRow(Int64(6)) { _ in again += 1 }
            #expect(again == 1)
        }
    }

    @Test("a read that fails throws SQLite's message, and the statement reads again afterwards")
    func readFailure() throws {
        try withDatabase { db in
            try db.execute(sql: "INSERT INTO item (name, count) VALUES ('a', 1)")
            // abs() of the smallest integer overflows at step time, not at prepare time.
            let select = try db.cachedStatement(sql: "SELECT abs(?) FROM item")
            do {
                try select.forEachRow(Int64.min) { _ in }
                Issue.record("the overflowing read returned")
            } catch let error as DatabaseError {
                #expect(error.message?.contains("integer overflow") == true)
            }
            var values: [Int64] = []
            try select.forEachRow(Int64(-3)) { values.append($0.int64(0)) }
            #expect(values == [3])
            #expect(try db.cachedStatement(sql: "SELECT CAST(abs(?) AS TEXT) FROM item").fetchText(Int64(-4)) == "4")
        }
    }
}
