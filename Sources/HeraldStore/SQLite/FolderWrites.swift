import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes to one file's name (and its `-wal`, `-shm`, `-journal` companions) in its folder, seen
/// through inotify: a producer's commit writes the database's WAL, whichever process it runs in.
/// A producer closing the files it wrote counts as a write too: its commit shows by then, however
/// long its sync took, so a script that inserts and exits wakes the watch even when its commit
/// showed after the watch stopped looking for it (a sync slower than `OutboxWatch.settle`).
/// Used on one thread only, the outbox watch's; ``interrupt()`` may be called from anywhere until
/// ``close()``, and ends a ``wait(milliseconds:)`` at once.
///
/// `@unchecked Sendable`: the descriptors never change, and only the watch's thread reads them.
final class FolderWrites: @unchecked Sendable {
    private let inotify: Int32
    /// Read end, then write end: a byte in it ends a wait.
    private let wake: (Int32, Int32)
    private let fileName: [UInt8]
    private let buffer: UnsafeMutableRawBufferPointer

    /// Nil where inotify cannot watch the folder (no such folder, no instances or watches left):
    /// the watch then looks on a timer.
    init?(file path: String) {
        // SQLite follows a symlinked database to its file and keeps the WAL beside it: the
        // writes happen in the real file's folder, not the link's.
        let url = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        fileName = Array(url.lastPathComponent.utf8)
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else { return nil }
        for end in pipeEnds {
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        let inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard inotify >= 0,
              inotify_add_watch(inotify, url.deletingLastPathComponent().path, UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO)) >= 0
        else {
            if inotify >= 0 { Glibc.close(inotify) }
            Glibc.close(pipeEnds[0])
            Glibc.close(pipeEnds[1])
            return nil
        }
        self.inotify = inotify
        buffer = .allocate(byteCount: 4096, alignment: MemoryLayout<inotify_event>.alignment)
        wake = (pipeEnds[0], pipeEnds[1])
    }

    /// Waits up to `milliseconds` (negative: no limit) for a write to the file or its companions,
    /// or an interrupt; returns whether such a write came. Writes to other files in the folder
    /// (a backup, a log) are read and passed over.
    func wait(milliseconds: Int32) -> Bool {
        var descriptors = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: wake.0, events: Int16(POLLIN), revents: 0)]
        guard poll(&descriptors, 2, milliseconds) > 0 else { return false }
        if descriptors[1].revents != 0 {
            while read(wake.0, buffer.baseAddress, buffer.count) > 0 {}
        }
        return descriptors[0].revents != 0 && drainEvents()
    }

    private func drainEvents() -> Bool {
        var ours = false
        while true {
            let count = read(inotify, buffer.baseAddress, buffer.count)
            guard count > 0 else { return ours }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= count {
                let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let nameStart = offset + MemoryLayout<inotify_event>.size
                if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    // The kernel dropped events: any of them may have been the database's.
                    ours = true
                } else if !ours, event.len > 0 {
                    ours = namesOurFile(UnsafeRawBufferPointer(rebasing: buffer[nameStart..<min(nameStart + Int(event.len), count)]))
                }
                offset = nameStart + Int(event.len)
            }
        }
    }

    /// Whether a NUL-padded name from an event is the file or one of its companions (`name-…`),
    /// compared as bytes: a busy database writes hundreds of events a second.
    private func namesOurFile(_ padded: UnsafeRawBufferPointer) -> Bool {
        let name = padded.prefix { $0 != 0 }
        guard name.count >= fileName.count, name.starts(with: fileName) else { return false }
        return name.count == fileName.count || name[name.startIndex + fileName.count] == UInt8(ascii: "-")
    }

    /// Ends the current or next wait. Safe from any thread until ``close()``.
    func interrupt() {
        var byte: UInt8 = 1
        _ = write(wake.1, &byte, 1)
    }

    func close() {
        Glibc.close(inotify)
        Glibc.close(wake.0)
        Glibc.close(wake.1)
        buffer.deallocate()
    }
}
