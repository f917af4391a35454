import Foundation
import Logging
import PostgresNIO

/// One connection leased for one unit of work (usually a transaction), with the few ways the store
/// talks to it: collect rows, run a statement, read one value. Queries are built with
/// `PostgresQuery` interpolation, so every value travels as a bound parameter.
struct PostgresSession {
    let connection: PostgresConnection
    let logger: Logger
    let watch: PostgresQueryWatch

    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await watch.run(on: connection) { [connection, logger] in
            try await connection.query(query, logger: logger).collect()
        }
    }

    func execute(_ query: PostgresQuery) async throws {
        try await rows(query)
    }

    /// The first column of the first row, or nil when there is no row (or it is NULL).
    func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T? where T._DecodableType == T {
        guard let row = try await rows(query).first else { return nil }
        return try row.decode(T?.self)
    }

    /// The first column of every row.
    func values<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> [T] {
        try await rows(query).map { try $0.decode(T.self) }
    }

    /// How many rows a statement touched: callers write `RETURNING 1` (or an id) and count.
    func changes(_ query: PostgresQuery) async throws -> Int {
        try await rows(query).count
    }
}

extension PostgresRow {
    /// Column access by name, as GRDB's `Row` offers: `row["state", as: String.self]`.
    subscript<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) -> T {
        get throws { try makeRandomAccess()[column].decode(T.self) }
    }
}
