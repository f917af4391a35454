import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a backup may be written, decided before the copy starts: the target with its folder's
/// symlinks resolved, checked against the live database and what is already there.
struct BackupTarget {
    /// The file to write, in its real folder.
    let path: String
    /// Whether a regular file is already there (and `force` allowed replacing it).
    let replacesExisting: Bool

    static let liveSuffixes = ["-wal", "-shm", "-journal"]

    init(_ requested: String, liveDatabase: String, force: Bool) throws(BackupRefusal) {
        guard requested.hasPrefix("/") else { throw .notAbsolute(target: requested) }
        let components = requested.split(separator: "/")
        guard !requested.hasSuffix("/"), let name = components.last, name != ".", name != ".." else {
            throw .directory(target: requested)
        }
        let parent = "/" + components.dropLast().joined(separator: "/")
        guard let realParent = Self.realPath(parent), Self.isDirectory(realParent) else {
            throw .parentMissing(target: requested, parent: parent)
        }
        let resolved = (realParent == "/" ? "" : realParent) + "/" + name
        let live = Self.realPath(liveDatabase) ?? liveDatabase
        if resolved == live { throw .liveDatabase(target: requested, live: live) }
        if let suffix = Self.liveSuffixes.first(where: { resolved == live + $0 }) {
            throw .liveCompanion(target: requested, live: live, suffix: suffix)
        }

        var info = stat()
        guard lstat(resolved, &info) == 0 else {
            // Nothing there (or nothing this process may see): the copy creates it.
            path = resolved
            replacesExisting = false
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFLNK: throw .symlink(target: requested)
        case S_IFDIR: throw .directory(target: requested)
        case S_IFREG: break
        default: throw .notRegularFile(target: requested)
        }
        // Another name for the live file or a companion (a hard link) is the live file.
        if Self.sameFile(info, live) { throw .liveDatabase(target: requested, live: live) }
        if let suffix = Self.liveSuffixes.first(where: { Self.sameFile(info, live + $0) }) {
            throw .liveCompanion(target: requested, live: live, suffix: suffix)
        }
        guard force else { throw .exists(target: requested) }
        path = resolved
        replacesExisting = true
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    private static func sameFile(_ info: stat, _ other: String) -> Bool {
        var otherInfo = stat()
        return stat(other, &otherInfo) == 0 && otherInfo.st_dev == info.st_dev && otherInfo.st_ino == info.st_ino
    }
}
