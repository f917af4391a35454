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

extension Double: SQLiteBindable {
    func bind(to statement: SQLiteStatement, at index: Int32) -> Int32 { sqlite3_bind_double(statement, index, self) }
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

/// A cached statement bound straight into SQLite, then run by GRDB.
///
/// For the few statements every text runs several times (its events, its insert, its two
/// updates): GRDB's `execute(arguments:)` boxes each value into an array of existentials,
/// converts and validates it, which cost more than SQLite's own work on such a statement.
/// Here the values go from a parameter pack to `sqlite3_bind_*` with no allocation, then GRDB
/// steps the statement as usual (its error handling and transaction bookkeeping stay).
///
/// GRDB runs a statement with the bindings already made only while it holds an empty argument
/// list marked bound (`setUncheckedArguments`). Setting that for every row also cleared every
/// binding each time, for nothing, since `run` binds them all: it is set when this is made (once
/// per statement per transaction) and again only if GRDB ran the same cached SQL with arguments
/// of its own meanwhile, which it would otherwise bind over these.
struct DirectStatement {
    let statement: Statement

    init(_ statement: Statement) {
        self.statement = statement
        markBound()
    }

    /// Runs the statement with `values` bound by position: exactly its parameters, in order.
    func run<each Value: SQLiteBindable>(_ values: repeat each Value) throws {
        if !statement.arguments.isEmpty { markBound() }
        try statement.bindDirectly(repeat each values)
        try statement.execute()
    }

    private func markBound() {
        // A statement whose last step failed returns that error from its next reset, which
        // setUncheckedArguments would trap on: reset it here first, the error already reported.
        _ = sqlite3_reset(statement.sqliteStatement)
        statement.setUncheckedArguments(StatementArguments())
    }
}

extension Statement {
    /// The first column of the first row as text (nil for no row or NULL), with `values` bound
    /// as `DirectStatement.run` binds them. A read of one row on the hot path (a number's
    /// consent): stepped here, where GRDB's cursor, made and freed per call, cost three times
    /// SQLite's own lookup.
    func fetchText<each Value: SQLiteBindable>(_ values: repeat each Value) throws -> String? {
        try bindDirectly(repeat each values)
        defer { sqlite3_reset(sqliteStatement) }
        switch sqlite3_step(sqliteStatement) {
        case SQLITE_ROW: return CurrentRow(sqliteStatement).text(0)
        case SQLITE_DONE: return nil
        case let code: throw stepError(code)
        }
    }

    /// Calls `body` with each row of the result, read in place (no row copied), with `values`
    /// bound as `DirectStatement.run` binds them. For reads only, inside the caller's
    /// transaction: `body` may run other statements, never this one.
    func forEachRow<each Value: SQLiteBindable>(_ values: repeat each Value, body: (CurrentRow) throws -> Void) throws {
        try bindDirectly(repeat each values)
        defer { sqlite3_reset(sqliteStatement) }
        while true {
            switch sqlite3_step(sqliteStatement) {
            case SQLITE_ROW: try body(CurrentRow(sqliteStatement))
            case SQLITE_DONE: return
            case let code: throw stepError(code)
            }
        }
    }

    private func stepError(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code),
                      message: String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement))), sql: sql)
    }

    /// Binds `values` by position after a reset; they must be exactly the statement's parameters.
    fileprivate func bindDirectly<each Value: SQLiteBindable>(_ values: repeat each Value) throws {
        // A statement whose last step failed returns that error from this reset: it was reported then.
        _ = sqlite3_reset(sqliteStatement)
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

/// The row a statement is on, read by column position straight from SQLite; valid until the
/// statement steps again.
struct CurrentRow {
    let sqliteStatement: SQLiteStatement

    init(_ sqliteStatement: SQLiteStatement) {
        self.sqliteStatement = sqliteStatement
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(sqliteStatement, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(sqliteStatement, column) }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(sqliteStatement, column)) }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    func optionalInt(_ column: Int32) -> Int? { isNull(column) ? nil : int(column) }

    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : sqlite3_column_double(sqliteStatement, column) }

    /// Text, or nil for NULL. A column of another type reads as its text, as GRDB's `Row` would
    /// convert it: producers may write any SQLite type into `outbox`, and the ingest rules judge
    /// it, so a wrong type becomes a rejection reason rather than a crash.
    func text(_ column: Int32) -> String? {
        switch sqlite3_column_type(sqliteStatement, column) {
        case SQLITE_NULL: return nil
        case SQLITE_INTEGER: return String(sqlite3_column_int64(sqliteStatement, column))
        case SQLITE_FLOAT: return String(sqlite3_column_double(sqliteStatement, column))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(sqliteStatement, column))
            guard count > 0, let bytes = sqlite3_column_blob(sqliteStatement, column) else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: bytes, count: count), as: UTF8.self)
        default:
            // Text: its bytes, read before its length, as SQLite asks.
            guard let bytes = sqlite3_column_text(sqliteStatement, column) else { return "" }
            let count = Int(sqlite3_column_bytes(sqliteStatement, column))
            return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
        }
    }

    /// Text of a column the caller's rows always fill (a claimable message's org, numbers and
    /// body, which only rejected rows lack); NULL reads as "".
    func string(_ column: Int32) -> String { text(column) ?? "" }
}
