import GRDB
import GRDBSQLite

/// A value the hot statements bind straight into SQLite.
protocol SQLiteBindable {
    /// `sqlite3_bind_*`'s result code.
    func bind(to statement: SQLiteStatement, at index: Int32) -> Int32
}

extension Int64: SQLiteBindable {
    func bind(to statement: SQLiteStatement, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, self) }
}

extension Int: SQLiteBindable {
    func bind(to statement: SQLiteStatement, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, Int64(self)) }
}

extension Bool: SQLiteBindable {
    func bind(to statement: SQLiteStatement, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, self ? 1 : 0) }
}

extension String: SQLiteBindable {
    func bind(to statement: SQLiteStatement, at index: Int32) -> Int32 {
        // SQLITE_TRANSIENT: SQLite copies the text before this returns.
        withCString { sqlite3_bind_text(statement, index, $0, Int32(utf8.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self)) }
    }
}

extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    func bind(to statement: SQLiteStatement, at index: Int32) -> Int32 {
        switch self {
        case let .some(value): value.bind(to: statement, at: index)
        case .none: sqlite3_bind_null(statement, index)
        }
    }
}

extension Statement {
    /// Runs the statement with `values` bound by position, through GRDB's raw statement pointer.
    ///
    /// For the few statements every text runs several times (its events, its insert, its two
    /// updates): GRDB's `execute(arguments:)` boxes each value into an array of existentials,
    /// converts and validates it, which cost more than SQLite's own work on such a statement.
    /// Here the values go from a parameter pack to `sqlite3_bind_*` with no allocation, then GRDB
    /// steps the statement as usual (its error handling and transaction bookkeeping stay).
    /// The caller passes exactly the statement's parameters, in order.
    func run<each Value: SQLiteBindable>(_ values: repeat each Value) throws {
        try bindDirectly(repeat each values)
        try execute()
    }

    /// The first column of the first row as text, after binding as `run` does.
    func fetchText<each Value: SQLiteBindable>(_ values: repeat each Value) throws -> String? {
        try bindDirectly(repeat each values)
        return try String.fetchOne(self)
    }

    private func bindDirectly<each Value: SQLiteBindable>(_ values: repeat each Value) throws {
        // A statement whose last step failed returns that error from its next reset, which
        // setUncheckedArguments would trap on: reset it here first, the error already reported.
        _ = sqlite3_reset(sqliteStatement)
        // Marks the (empty) arguments bound, so the execution keeps the bindings made here.
        setUncheckedArguments(StatementArguments())
        var index: Int32 = 0
        for value in repeat each values {
            index += 1
            let code = value.bind(to: sqliteStatement, at: index)
            guard code == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot bind parameter \(index)", sql: sql)
            }
        }
        guard index == sqlite3_bind_parameter_count(sqliteStatement) else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "\(index) values for \(sqlite3_bind_parameter_count(sqliteStatement)) parameters", sql: sql)
        }
    }
}
