import Foundation
import GRDB
@testable import HeraldStore
import Testing

/// `Statement.run` binds by position past GRDB's argument arrays; these are the ways that could go wrong.
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
            let insert = try db.cachedStatement(sql: "INSERT INTO item (id, name, count, flag) VALUES (?, ?, ?, ?)")
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
            let insert = try db.cachedStatement(sql: "INSERT INTO item (name) VALUES (?)")
            try insert.run("one")
            #expect(throws: DatabaseError.self) { try insert.run("one") }
            try insert.run("two")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM item") == 2)
        }
    }

    @Test("too few or too many values are an error naming both counts, and nothing runs")
    func countMismatch() throws {
        try withDatabase { db in
            let insert = try db.cachedStatement(sql: "INSERT INTO item (name, count) VALUES (?, ?)")
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
}
