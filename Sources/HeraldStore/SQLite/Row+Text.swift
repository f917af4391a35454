import GRDB

extension Row {
    /// Producers may write any SQLite type into `outbox`; read every column as text and let the
    /// ingest rules judge it, so a wrong type becomes a rejection reason rather than a crash.
    func text(_ column: Int) -> String? {
        let value: DatabaseValue = self[column]
        switch value.storage {
        case .null: return nil
        case let .string(string): return string
        case let .int64(int): return String(int)
        case let .double(double): return String(double)
        case let .blob(data): return String(decoding: data, as: UTF8.self)
        }
    }
}
