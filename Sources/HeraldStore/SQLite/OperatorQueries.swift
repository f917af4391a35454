import Foundation
import GRDB
import HeraldCore

/// Reads for heraldctl: message lists, the live feed behind `watch`, usage and backups.
extension QueueDatabase {
    /// Newest first. Each filter narrows by an indexed column where one exists.
    public func messages(state: MessageState?, held: HeldReason? = nil, org: String?, to: String?, limit: Int) async throws -> [MessageSnapshot] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let state {
            conditions.append("state = ?")
            arguments += [state.rawValue]
        }
        if let held {
            conditions.append("held_reason = ?")
            arguments += [held.rawValue]
        }
        if let org {
            conditions.append("org_id = ?")
            arguments += [org]
        }
        if let to {
            conditions.append("to_number = ?")
            arguments += [to]
        }
        arguments += [limit]
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let values = arguments
        return try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM message \(filter) ORDER BY id DESC LIMIT ?", arguments: values)
                .map(MessageSnapshot.init(row:))
        }
    }

    /// Events recorded after `id`, oldest first: `watch` tails the event log instead of hooking
    /// every writer, so it sees every transition whoever made it.
    public func events(after id: Int64, limit: Int) async throws -> [EventSnapshot] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM message_event WHERE id > ? ORDER BY id LIMIT ?", arguments: [id, limit])
                .map(EventSnapshot.init(row:))
        }
    }

    public func inbound(after id: Int64, limit: Int) async throws -> [InboundSnapshot] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM inbound_message WHERE id > ? ORDER BY id LIMIT ?", arguments: [id, limit]).map {
                InboundSnapshot(id: $0["id"], orgID: $0["org_id"], from: $0["from_number"], to: $0["to_number"], body: $0["body"],
                                receivedAt: Date(millis: $0["received_at"]), keyword: $0["keyword"])
            }
        }
    }

    /// Where a new watcher starts: only what happens from now on.
    public func feedPosition() async throws -> (event: Int64, inbound: Int64) {
        try await pool.read { db in
            (try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM message_event") ?? 0,
             try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM inbound_message") ?? 0)
        }
    }

    /// Usage rows of the given months ("YYYY-MM"), per org and user.
    public func usage(org: String?, user: String?, months: Set<String>) async throws -> [UsageRow] {
        guard let oldest = months.min() else { return [] }
        return try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT org_id, user_id, month, messages, segments FROM usage
                WHERE (?1 IS NULL OR org_id = ?1) AND (?2 IS NULL OR user_id = ?2) AND month >= ?3
                ORDER BY org_id, month, user_id
                """, arguments: [org, user, oldest]).compactMap {
                let row = UsageRow(org: $0["org_id"], user: $0["user_id"], month: $0["month"], messages: $0["messages"], segments: $0["segments"])
                return months.contains(row.month) ? row : nil
            }
        }
    }

    /// An online, consistent copy: SQLite's backup API reading one snapshot of the WAL database
    /// while the writer goes on. Written to a temporary name beside the target and renamed, so the
    /// target is either the complete backup or untouched.
    ///
    /// Refused before anything is written (``BackupRefusal``): the live database or its `-wal`,
    /// `-shm` or `-journal` under any name, a symlink, a directory, a missing folder, and an
    /// existing file unless `force`. The copy is created mode 0640 whatever the umask: it holds
    /// phone numbers and texts.
    public func backup(to requested: String, force: Bool = false) async throws -> Int64 {
        let target = try BackupTarget(requested, liveDatabase: path, force: force)
        let temporary = target.path + ".partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try Self.createPrivateFile(temporary)
            let destination = try DatabaseQueue(path: temporary)
            try await pool.read { db in
                try destination.writeWithoutTransaction { target in
                    try db.backup(to: target)
                }
            }
            try destination.close()
            try Self.install(temporary, at: target)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? NSNumber)?.int64Value
        return size ?? 0
    }

    static let backupMode: mode_t = 0o640

    /// An empty file only its owner and group may read; SQLite gives its journal the same mode.
    private static func createPrivateFile(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, backupMode)
        guard descriptor >= 0 else { throw StoreError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        // The umask may have taken bits away; set exactly 0640.
        guard fchmod(descriptor, backupMode) == 0 else {
            throw StoreError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Moves the finished copy into place. Without `force` a hard link claims the name only if it
    /// is still free, so a file that appeared during the copy is not replaced either.
    private static func install(_ temporary: String, at target: BackupTarget) throws {
        if !target.replacesExisting {
            if link(temporary, target.path) == 0 {
                unlink(temporary)
                return
            }
            let failure = errno
            if failure == EEXIST { throw BackupRefusal.exists(target: target.path) }
            // A file system without hard links: the check made before the copy has to do.
            guard failure == EPERM || failure == EOPNOTSUPP || failure == ENOTSUP else {
                throw StoreError.cannotOpen(path: target.path, reason: String(cString: strerror(failure)))
            }
        }
        if rename(temporary, target.path) != 0 {
            throw StoreError.cannotOpen(path: target.path, reason: String(cString: strerror(errno)))
        }
    }
}

extension QueueDatabase {
    /// Whether an outbox row still waits for the ingester: a message id that `show` cannot find yet.
    public func isInOutbox(_ id: Int64) async throws -> Bool {
        try await pool.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM outbox WHERE id = ?)", arguments: [id]) ?? false }
    }
}
