import Foundation
import GRDB
import HeraldControl
import Testing

/// `backup` can never hurt the queue: targets that would replace the live database or its
/// companions are refused by any name, and so are links, directories, missing folders and (unless
/// forced) existing files. Each refusal leaves the live files as they were and the daemon sending.
@Suite("Backup safety", .serialized)
struct BackupSafetyTests {
    /// A refused target: how to make it in the daemon's folder, and what the refusal must say.
    enum Refused: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case liveDatabase
        case liveThroughDotPath
        case liveThroughSymlinkedFolder
        case liveHardLink
        case wal
        case shm
        case journal
        case existingFile
        case symlink
        case symlinkToLiveDatabase
        case directory
        case directoryWithSlash
        case missingParent

        var testDescription: String { rawValue }

        /// Even `--force` may not write these; only an existing plain file needs it.
        var force: Bool { self != .existingFile }

        var code: AdminError.Code { self == .existingFile ? .conflict : .badRequest }

        var phrase: String {
            switch self {
            case .liveDatabase, .liveThroughDotPath, .liveThroughSymlinkedFolder, .liveHardLink: "is the live queue database"
            case .wal: "-wal file"
            case .shm: "-shm file"
            case .journal: "-journal file"
            case .existingFile: "pass --force"
            case .symlink, .symlinkToLiveDatabase: "symbolic link"
            case .directory, .directoryWithSlash: "is a directory"
            case .missingParent: "does not exist"
            }
        }

        /// Prepares the target next to the live database `live` in `folder` and returns its path.
        func prepare(in folder: URL, live: String) throws -> String {
            let files = FileManager.default
            switch self {
            case .liveDatabase: return live
            case .liveThroughDotPath:
                try files.createDirectory(atPath: folder.appendingPathComponent("sub").path, withIntermediateDirectories: false)
                return folder.path + "/./sub/../herald.db"
            case .liveThroughSymlinkedFolder:
                try files.createSymbolicLink(atPath: folder.appendingPathComponent("alias").path, withDestinationPath: folder.path)
                return folder.appendingPathComponent("alias/herald.db").path
            case .liveHardLink:
                let alias = folder.appendingPathComponent("alias.db").path
                try #require(link(live, alias) == 0, "cannot hard-link the live database: \(String(cString: strerror(errno)))")
                return alias
            case .wal: return live + "-wal"
            case .shm: return live + "-shm"
            case .journal: return live + "-journal"
            case .existingFile:
                let path = folder.appendingPathComponent("yesterday.db").path
                try Data("yesterday's backup".utf8).write(to: URL(fileURLWithPath: path))
                return path
            case .symlink:
                let elsewhere = folder.appendingPathComponent("elsewhere.db").path
                try Data("someone else's file".utf8).write(to: URL(fileURLWithPath: elsewhere))
                let path = folder.appendingPathComponent("link.db").path
                try files.createSymbolicLink(atPath: path, withDestinationPath: elsewhere)
                return path
            case .symlinkToLiveDatabase:
                let path = folder.appendingPathComponent("link.db").path
                try files.createSymbolicLink(atPath: path, withDestinationPath: live)
                return path
            case .directory, .directoryWithSlash:
                let path = folder.appendingPathComponent("backups").path
                try files.createDirectory(atPath: path, withIntermediateDirectories: false)
                return self == .directory ? path : path + "/"
            case .missingParent: return folder.appendingPathComponent("no-such-folder/backup.db").path
            }
        }
    }

    @Test("refused, with a message naming the problem; the live files stay and the daemon still sends",
          arguments: Refused.allCases)
    func refused(_ target: Refused) async throws {
        try await DaemonHarness.withDaemon { harness in
            let live = harness.configuration.database.path
            // Something to send first, so the live -wal and -shm are there and in use.
            let first = try harness.insert([OutboxRow(to: "+16125550123", body: "before")])[0]
            #expect(try await harness.eventually { try harness.state(of: first) == "delivered" })
            let before = try Self.identities(of: live)
            let path = try target.prepare(in: harness.directory, live: live)
            // The live files change as the daemon works; a bystander's file must not.
            let bystander = [.existingFile, .symlink].contains(target)
            let contentBefore = bystander ? FileManager.default.contents(atPath: path) : nil

            let client = try await AdminClient.open(harness.adminSocket)
            do {
                let result = try await client.call(Admin.backup(BackupRequest(path: path, force: target.force)))
                Issue.record("backup to \(path) was written (\(result.bytes) bytes)")
            } catch let error as AdminError {
                #expect(error.code == target.code, "\(error)")
                #expect(error.message.contains(target.phrase), "\(error.message)")
                #expect(error.message.contains(path), "names the path given: \(error.message)")
            }

            #expect(try Self.identities(of: live) == before, "the live database and its -wal and -shm are the same files")
            if bystander {
                #expect(contentBefore != nil && FileManager.default.contents(atPath: path) == contentBefore, "the target is untouched")
            }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: harness.directory.path).filter { $0.contains(".partial-") }
            #expect(leftovers.isEmpty, "\(leftovers)")
            let after = try harness.insert([OutboxRow(to: "+16125550124", body: "after")])[0]
            #expect(try await harness.eventually { try harness.state(of: after) == "delivered" }, "the daemon still sends")
        }
    }

    @Test("--force replaces an existing backup; the copy is mode 0640 and a complete database")
    func forceReplaces() async throws {
        try await DaemonHarness.withDaemon { harness in
            let id = try harness.insert([OutboxRow(to: "+16125550123", body: "kept in the copy")])[0]
            #expect(try await harness.eventually { try harness.state(of: id) == "delivered" })
            let path = harness.directory.appendingPathComponent("backup.db").path
            try Data("an older backup".utf8).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o644)

            let client = try await AdminClient.open(harness.adminSocket)
            let result = try await client.call(Admin.backup(BackupRequest(path: path, force: true)))
            #expect(result.bytes > 0)
            #expect(try Self.mode(of: path) == 0o640, "never world-readable: it holds numbers and texts")
            let copy = try DatabaseQueue(path: path)
            let (integrity, body) = try await copy.read { db in
                (try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                 try String.fetchOne(db, sql: "SELECT body FROM message WHERE id = ?", arguments: [id]))
            }
            #expect(integrity == "ok")
            #expect(body == "kept in the copy")
            try copy.close()

            // A new file gets the same mode, whatever the daemon's umask would have given it.
            let fresh = harness.directory.appendingPathComponent("fresh.db").path
            _ = try await client.call(Admin.backup(BackupRequest(path: fresh)))
            #expect(try Self.mode(of: fresh) == 0o640)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: harness.directory.path).filter { $0.contains(".partial-") }
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }

    @Test("heraldctl backup exits non-zero with the daemon's reason, and --force goes through")
    func heraldctlExitStatus() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ReloadAndAccessTests.heraldctlPath))
        try await DaemonHarness.withDaemon { harness in
            let socket = harness.adminSocket
            let live = harness.configuration.database.path
            let onLive = try await offPool { try ReloadAndAccessTests.runHeraldctlBlocking(["backup", live, "--force", "--socket", socket], asNobody: false) }
            #expect(onLive.status != 0)
            #expect(onLive.err.contains("is the live queue database"), "\(onLive.err)")

            let path = harness.directory.appendingPathComponent("nightly.db").path
            let first = try await offPool { try ReloadAndAccessTests.runHeraldctlBlocking(["backup", path, "--socket", socket], asNobody: false) }
            #expect(first.status == 0, "\(first.err)")
            let again = try await offPool { try ReloadAndAccessTests.runHeraldctlBlocking(["backup", path, "--socket", socket], asNobody: false) }
            #expect(again.status != 0)
            #expect(again.err.contains("--force"), "\(again.err)")
            let forced = try await offPool { try ReloadAndAccessTests.runHeraldctlBlocking(["backup", path, "--force", "--socket", socket], asNobody: false) }
            #expect(forced.status == 0, "\(forced.err)")
        }
    }

    // MARK: Helpers

    private struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    /// The live file and its companions as (device, inode), so a replacement would show.
    private static func identities(of live: String) throws -> [String: Identity] {
        var result: [String: Identity] = [:]
        for suffix in ["", "-wal", "-shm"] {
            var info = stat()
            try #require(stat(live + suffix, &info) == 0, "\(live + suffix) is missing")
            result[suffix] = Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        }
        return result
    }

    private static func mode(of path: String) throws -> mode_t {
        var info = stat()
        try #require(stat(path, &info) == 0)
        return info.st_mode & 0o777
    }
}
