import Foundation
import HeraldTestSupport
import Synchronization
import Testing

@testable import HeraldStore

/// How ingest learns that producers' rows wait in a SQLite outbox: the database folder's writes,
/// or a timer where the kernel cannot report them.
@Suite("Store: the SQLite outbox watch")
struct OutboxWatchTests {
    private static let producerRow =
        "INSERT INTO outbox (org, sender, to_number, body) VALUES ('acme', 'alice', '(612) 555-0123', 'Hello')"

    /// A watch's wake-ups, counted by a task until `stop()`.
    private final class WakeCount: Sendable {
        private let woken = Atomic<Int>(0)
        private let waiter = Mutex<Task<Void, Never>?>(nil)

        init(_ watch: OutboxWatch) {
            let task = Task { [self] in
                while await watch.next() != nil { woken.add(1, ordering: .relaxed) }
            }
            waiter.withLock { $0 = task }
        }

        var value: Int { woken.load(ordering: .relaxed) }

        func stop() { waiter.withLock { $0?.cancel() } }
    }

    @Test("a commit by another process wakes the watch through the folder's writes, not its safety look an hour away")
    func aProducerProcessWakesTheWatch() async throws {
        let fixture = try await StoreFixture(.sqlite)
        let watch = OutboxWatch(path: fixture.path, safetyLook: .seconds(3_600), sweep: .seconds(3_600))
        #expect(watch.watchesFolder, "inotify could not watch \(fixture.path)'s folder")
        let woken = WakeCount(watch)
        defer { woken.stop() }

        // The sqlite3 shell, as an application's script would write: its own process, its own
        // connection, its commit shown only through the WAL index after the file events.
        for round in 1...3 {
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            shell.arguments = ["-cmd", ".timeout 10000", fixture.path, Self.producerRow]
            try shell.run()
            shell.waitUntilExit()
            #expect(shell.terminationStatus == 0, "sqlite3 could not insert into the outbox")
            try await waitUntil("a wake-up after the shell's commit \(round)", timeout: .seconds(30)) {
                woken.value >= round
            }
            #expect(try await fixture.count("SELECT COUNT(*) FROM outbox") == 1)
            try await fixture.ingest()
        }
    }

    @Test("a database reached through a symlink in another folder is watched where its files are written")
    func aSymlinkedDatabaseIsWatchedAtItsFile() async throws {
        let fixture = try await StoreFixture(.sqlite)
        let elsewhere = try StoreFixture.temporaryFolder()
        let link = elsewhere.appendingPathComponent("queue.db").path
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture.path)
        let watch = OutboxWatch(path: link, safetyLook: .seconds(3_600), sweep: .seconds(3_600))
        #expect(watch.watchesFolder)
        let woken = WakeCount(watch)
        defer { woken.stop() }
        try await fixture.produce()
        try await waitUntil("a wake-up for a row written through the real path", timeout: .seconds(30)) { woken.value >= 1 }
    }

    @Test("without the folder's writes the watch finds rows on its timer")
    func theTimerFindsRows() async throws {
        let fixture = try await StoreFixture(.sqlite)
        let watch = OutboxWatch(path: fixture.path, safetyLook: .seconds(3_600), sweep: .seconds(3_600), watchFolder: false)
        #expect(!watch.watchesFolder)
        let woken = WakeCount(watch)
        defer { woken.stop() }
        try await fixture.produce()
        try await waitUntil("a wake-up from the timer", timeout: .seconds(30)) { woken.value >= 1 }
    }

    @Test("rows that came while nobody waited wake the next wait at once", arguments: [true, false])
    func rowsBeforeTheWaitAreNotMissed(watchFolder: Bool) async throws {
        let fixture = try await StoreFixture(.sqlite)
        try await fixture.produce()
        let watch = OutboxWatch(path: fixture.path, safetyLook: .seconds(3_600), sweep: .seconds(3_600), watchFolder: watchFolder)
        let woken = WakeCount(watch)
        defer { woken.stop() }
        try await waitUntil("a wake-up for the row already there", timeout: .seconds(30)) { woken.value >= 1 }
    }

    @Test("cancelling the waiting task ends the wait, and the stream with it")
    func cancellingEndsTheWait() async throws {
        let fixture = try await StoreFixture(.sqlite)
        let arrivals = fixture.sqlite.outboxArrivals()
        let ended = Atomic<Bool>(false)
        let waiter = Task {
            for try await _ in arrivals {}
            ended.store(true, ordering: .relaxed)
        }
        waiter.cancel()
        try await waitUntil("the stream to end after its task was cancelled", timeout: .seconds(30)) { ended.load(ordering: .relaxed) }
    }
}
