/// Failures of the queue database, worded for the operator reading the journal.
public enum StoreError: Error, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case newerSchema(path: String, unknownMigrations: [String])
    case migrationFailed(path: String, reason: String)
    case unknownMessage(Int64)
    case badOrganizationRow(detail: String)
    /// The PostgreSQL server did not answer or refused the connection (`[database] url`).
    case cannotConnect(server: String, reason: String)
    /// The server ended the connection mid-work (a restart, a failover): the work was rolled back.
    case connectionLost(server: String, reason: String)
    /// The server refused a statement; `reason` is its own message and SQLSTATE.
    case statementFailed(server: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            "cannot open queue database \(path): \(reason). Check that the directory exists and is writable by the herald user, and that the file is a SQLite database."
        case let .newerSchema(path, unknown):
            "queue database \(path) was written by a newer Herald (schema steps \(unknown.joined(separator: ", ")) are unknown to this version); refusing to touch it. Upgrade heraldd or restore a backup."
        case let .migrationFailed(path, reason):
            "cannot migrate queue database \(path): \(reason). Nothing was changed; the database is as it was."
        case let .unknownMessage(id):
            "no message with id \(id)"
        case let .badOrganizationRow(detail):
            "an organization row in the queue database is invalid: \(detail)"
        case let .cannotConnect(server, reason):
            "cannot reach the PostgreSQL queue at \(server): \(reason). Check [database] url in herald.toml, that the server runs and accepts this user, and the password file."
        case let .connectionLost(server, reason):
            "lost the connection to the PostgreSQL queue at \(server): \(reason). The unfinished transaction was rolled back; heraldd reconnects and retries."
        case let .statementFailed(server, reason):
            "the PostgreSQL queue at \(server) refused a statement: \(reason)"
        }
    }
}
