import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Rings when a file in a folder is written, and every `tick` at the latest: a producer's commit
/// writes the database's WAL, so the outbox watch looks at once instead of at its next poll.
/// inotify is read on a thread of its own, never on the concurrency pool. Where inotify cannot
/// watch (no such folder, out of watches), `init` fails and the watch sleeps between looks.
final class FolderWrites: Sendable {
    /// Coalesced: a burst of writes while the watch is looking is one more look.
    let rings: AsyncStream<Void>
    private let stop: StopFlag

    private final class StopFlag: Sendable {
        let raised = Atomic<Bool>(false)
    }

    init?(folder: String, tick: Duration) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        guard inotify_add_watch(fd, folder, UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)) >= 0 else {
            close(fd)
            return nil
        }
        let (rings, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let stop = StopFlag()
        self.rings = rings
        self.stop = stop
        continuation.onTermination = { _ in stop.raised.store(true, ordering: .relaxed) }
        let milliseconds = Int32(max(1, tick.components.seconds * 1000 + tick.components.attoseconds / 1_000_000_000_000_000))
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while !stop.raised.load(ordering: .relaxed) {
                if poll(&descriptor, 1, milliseconds) > 0 {
                    while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
                }
                continuation.yield()
            }
            close(fd)
        }
        thread.name = "herald.outbox-inotify"
        thread.start()
    }

    deinit {
        stop.raised.store(true, ordering: .relaxed)
    }
}
