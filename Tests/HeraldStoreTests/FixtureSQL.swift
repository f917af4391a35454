import Foundation
import GRDB
import PostgresNIO

@testable import HeraldStore

/// A value a test hands to raw SQL, whichever backend runs it.
enum FixtureValue: Sendable, Equatable {
    case null
    case int(Int64)
    case text(String)
}

protocol FixtureBindable: Sendable {
    var fixtureValue: FixtureValue { get }
}

extension String: FixtureBindable { var fixtureValue: FixtureValue { .text(self) } }
extension Int: FixtureBindable { var fixtureValue: FixtureValue { .int(Int64(self)) } }
extension Int64: FixtureBindable { var fixtureValue: FixtureValue { .int(self) } }
extension Bool: FixtureBindable { var fixtureValue: FixtureValue { .int(self ? 1 : 0) } }
extension Optional: FixtureBindable where Wrapped: FixtureBindable {
    var fixtureValue: FixtureValue { self?.fixtureValue ?? .null }
}

/// One row a test read with raw SQL: its columns by name, typed as the test asks
/// (`row["state"] as String`), as GRDB's `Row` reads.
struct FixtureRow: Sendable {
    let cells: [String: FixtureValue]

    subscript<T: FixtureDecodable>(_ column: String) -> T {
        guard let cell = cells[column] else { preconditionFailure("no column \(column) in \(cells.keys.sorted())") }
        guard let value = T(fixture: cell) else { preconditionFailure("column \(column) is \(cell), not \(T.self)") }
        return value
    }
}

protocol FixtureDecodable {
    init?(fixture: FixtureValue)
}

extension String: FixtureDecodable {
    init?(fixture: FixtureValue) {
        switch fixture {
        case let .text(text): self = text
        case let .int(int): self = String(int)
        case .null: return nil
        }
    }
}

extension Int64: FixtureDecodable {
    init?(fixture: FixtureValue) {
        switch fixture {
        case let .int(int): self = int
        case let .text(text): guard let int = Int64(text) else { return nil }; self = int
        case .null: return nil
        }
    }
}

extension Int: FixtureDecodable {
    init?(fixture: FixtureValue) {
        guard let int = Int64(fixture: fixture) else { return nil }
        self = Int(int)
    }
}

extension Optional: FixtureDecodable where Wrapped: FixtureDecodable {
    init?(fixture: FixtureValue) {
        if fixture == .null { self = .none; return }
        guard let wrapped = Wrapped(fixture: fixture) else { return nil }
        self = .some(wrapped)
    }
}

/// Raw SQL for the tests' own setup and checks, written once with `?` placeholders and run on
/// either backend. The tables and columns it names exist in both schemas.
extension StoreFixture {
    func execute(_ sql: String, _ arguments: [any FixtureBindable] = []) async throws {
        switch backend {
        case .sqlite:
            try await sqlite.pool.write { db in try db.execute(sql: sql, arguments: Self.grdb(arguments)) }
        case .postgresql:
            try await postgresQueue.connect { session in try await session.execute(Self.postgres(sql, arguments)) }
        }
    }

    /// An INSERT; returns the new row's id.
    @discardableResult
    func insert(_ sql: String, _ arguments: [any FixtureBindable] = []) async throws -> Int64 {
        switch backend {
        case .sqlite:
            return try await sqlite.pool.write { db in
                try db.execute(sql: sql, arguments: Self.grdb(arguments))
                return db.lastInsertedRowID
            }
        case .postgresql:
            return try await postgresQueue.connect { session in
                try await session.value(Self.postgres(sql + " RETURNING id", arguments), as: Int64.self) ?? 0
            }
        }
    }

    /// The first column of the first row as an integer (0 when there is none).
    func count(_ sql: String, _ arguments: [any FixtureBindable] = []) async throws -> Int {
        switch backend {
        case .sqlite:
            return try await sqlite.pool.read { db in try Int.fetchOne(db, sql: sql, arguments: Self.grdb(arguments)) ?? 0 }
        case .postgresql:
            return try await postgresQueue.connect { session in try await session.value(Self.postgres(sql, arguments), as: Int.self) ?? 0 }
        }
    }

    func row(_ sql: String, _ arguments: [any FixtureBindable] = []) async throws -> FixtureRow? {
        try await rows(sql, arguments).first
    }

    func rows(_ sql: String, _ arguments: [any FixtureBindable] = []) async throws -> [FixtureRow] {
        switch backend {
        case .sqlite:
            return try await sqlite.pool.read { db in
                try Row.fetchAll(db, sql: sql, arguments: Self.grdb(arguments)).map { row in
                    var cells: [String: FixtureValue] = [:]
                    for (column, value) in row {
                        switch value.storage {
                        case .null: cells[column] = .null
                        case let .int64(int): cells[column] = .int(int)
                        case let .double(double): cells[column] = .text(String(double))
                        case let .string(text): cells[column] = .text(text)
                        case let .blob(data): cells[column] = .text(String(decoding: data, as: UTF8.self))
                        }
                    }
                    return FixtureRow(cells: cells)
                }
            }
        case .postgresql:
            // Every column through JSON, so the test needs no PostgreSQL types.
            let texts = try await postgresQueue.connect { session in
                try await session.values(Self.postgres("SELECT row_to_json(t)::text FROM (\(sql)) AS t", arguments), as: String.self)
            }
            return try texts.map { text in
                let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
                return FixtureRow(cells: object.mapValues { value in
                    switch value {
                    case let number as NSNumber: .int(number.int64Value)
                    case let text as String: .text(text)
                    default: .null
                    }
                })
            }
        }
    }

    private static func grdb(_ arguments: [any FixtureBindable]) -> StatementArguments {
        StatementArguments(arguments.map { argument -> (any DatabaseValueConvertible)? in
            switch argument.fixtureValue {
            case .null: nil
            case let .int(int): int
            case let .text(text): text
            }
        })
    }

    /// `?` placeholders become `$1`, `$2`, … in order.
    private static func postgres(_ sql: String, _ arguments: [any FixtureBindable]) -> PostgresQuery {
        var text = ""
        var index = 0
        for character in sql {
            if character == "?" {
                index += 1
                text += "$\(index)"
            } else {
                text.append(character)
            }
        }
        var binds = PostgresBindings()
        for argument in arguments {
            switch argument.fixtureValue {
            case .null: binds.appendNull()
            case let .int(int): binds.append(int)
            case let .text(value): binds.append(value)
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: binds)
    }
}
