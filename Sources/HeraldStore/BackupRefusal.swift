import Foundation

/// Why a backup was refused before anything was written, worded for the operator who typed the
/// path. A backup renamed over the live database once took its `-wal` and `-shm` away from under
/// the running daemon (every claim then failed with `no such table: message`); these are the
/// targets that can never be right, or that are only right when the operator says so.
public enum BackupRefusal: Error, Equatable, CustomStringConvertible {
    /// The live queue database itself, by any name (a `./` in the path, a symlinked folder, a hard link).
    case liveDatabase(target: String, live: String)
    /// One of the live database's companion files: `-wal`, `-shm` or `-journal`.
    case liveCompanion(target: String, live: String, suffix: String)
    /// A file is already there and `force` was not given.
    case exists(target: String)
    case symlink(target: String)
    case directory(target: String)
    /// A FIFO, socket or device: nothing a backup should be written over.
    case notRegularFile(target: String)
    /// The folder the file would go in does not exist or is not a folder.
    case parentMissing(target: String, parent: String)
    case notAbsolute(target: String)
    /// The queue is on a PostgreSQL server: its backups are the server's business.
    case serverDatabase(server: String)

    public var description: String {
        switch self {
        case let .serverDatabase(server):
            "refusing to back up: the queue is on the PostgreSQL server \(server), which heraldctl backup cannot copy; use pg_dump or the server's own backups (base backups, replicas)"
        case let .liveDatabase(target, live):
            "refusing to back up to \(target): that is the live queue database \(live) itself, and the copy would replace it under the running daemon; name a new file, e.g. \(Self.suggestion(beside: live))"
        case let .liveCompanion(target, live, suffix):
            "refusing to back up to \(target): that is the live database's \(suffix) file (\(live)\(suffix)), which SQLite needs while heraldd runs; name a new file, e.g. \(Self.suggestion(beside: live))"
        case let .exists(target):
            "refusing to back up to \(target): the file exists; pass --force to replace it, or name a new file"
        case let .symlink(target):
            "refusing to back up to \(target): it is a symbolic link, even with --force (it could point at the live database or anywhere else); name the file itself"
        case let .directory(target):
            "refusing to back up to \(target): it is a directory; name a file in it, e.g. \(target.hasSuffix("/") ? target : target + "/")herald-backup.db"
        case let .notRegularFile(target):
            "refusing to back up to \(target): it is not a regular file (a FIFO, socket or device); name a new file"
        case let .parentMissing(target, parent):
            "refusing to back up to \(target): the directory \(parent) does not exist or is not a directory; create it first, writable by heraldd's user"
        case let .notAbsolute(target):
            "refusing to back up to \(target): the path must be absolute"
        }
    }

    private static func suggestion(beside live: String) -> String {
        ((live as NSString).deletingLastPathComponent as NSString).appendingPathComponent("backup-YYYY-MM-DD.db")
    }
}
