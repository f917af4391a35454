import Foundation
import GRDB
import HeraldCore
import Synchronization

/// Wakes ingest when producers' rows wait in the outbox, from a thread of its own that sleeps in
/// the kernel until the database's files are written (inotify on their folder: a producer's
/// commit writes the WAL, whatever process it runs in).
///
/// A write is not yet a commit: the WAL frames are written, then synced, and only then does the
/// commit show, through the WAL index in shared memory, which no file event reports. A look right
/// at the write sees nothing new. So for `settle` after each write the thread reads
/// `PRAGMA data_version` (a counter in shared memory, no table scan) every millisecond, or every
/// `busyLook` while writes keep coming, and looks at the outbox when the counter moves. A first
/// cut (2026-12-03) looked once per write, always before the producer's commit showed, and so
/// woke only at its 100 ms safety tick.
///
/// Without file events (inotify unavailable) it reads the counter every 10 ms, as a timer.
/// Either way it reads the counter every `safetyLook` (250 ms: where a filesystem writes without
/// telling inotify, a row waits that long at most; an idle heraldd's CPU is 7 ticks in 30 s at
/// 250 ms, 11 at 100 ms, 5 at 1 s) and looks at the outbox every `sweep` regardless, in case a
/// commit came through a path that does not bump the counter (a restored file).
final class OutboxWatch: Sendable {
    /// How long after a write the commit may take to show: a WAL sync on a slow disk.
    static let settle: Duration = .milliseconds(50)
    /// Writes after a quiet spell are looked after every millisecond for this long; writes that
    /// keep coming (the daemon's own commits, a busy producer) every `busyLook`, as the timer
    /// would. A look at every write cost a busy heraldd a tenth of its CPU (the profile of
    /// 2026-12-05: a look with its wake-up is tens of µs on a slow VM), 2.9 % at 5 ms, for rows
    /// that ingest, busy anyway, takes a few ms later at most.
    static let eagerFor: Duration = .milliseconds(20)
    static let busyLook: Duration = .milliseconds(10)
    static let timerLook: Duration = .milliseconds(10)

    private let signal: Signal

    init(path: String, safetyLook: Duration, sweep: Duration, watchFolder: Bool = true) {
        let signal = Signal(writes: watchFolder ? FolderWrites(file: path) : nil)
        self.signal = signal
        let thread = Thread {
            var look = Look(path: path, sweep: sweep)
            signal.watch(look: &look, safetyLook: safetyLook)
        }
        thread.name = "herald-outbox"
        thread.start()
    }

    deinit {
        signal.stop()
    }

    /// Whether the folder's writes wake the watch (false: it looks on a timer).
    var watchesFolder: Bool { signal.writes != nil }

    /// Returns once the outbox has rows; nil once the task is cancelled.
    func next() async -> Void? {
        if await signal.wait() { return () }
        signal.stop()
        return nil
    }

    /// What the watch's thread and the waiting ingester share. A ring with nobody waiting is
    /// remembered once: rows seen while the ingester is busy are one more drain, never lost.
    private final class Signal: Sendable {
        struct State {
            var rung = false
            var waiter: CheckedContinuation<Bool, Never>?
            var stopped = false
        }

        let state = Mutex(State())
        let writes: FolderWrites?

        init(writes: FolderWrites?) {
            self.writes = writes
        }

        func watch(look: inout Look, safetyLook: Duration) {
            let safety = Self.milliseconds(safetyLook)
            // Writes began after a quiet spell at `burstStart` and went on until `settleUntil`.
            var burstStart = ContinuousClock.now
            var settleUntil: ContinuousClock.Instant?
            while !state.withLock({ $0.stopped }) {
                if look.hasRows() { ring() }
                guard let writes else {
                    usleep(Self.microseconds(OutboxWatch.timerLook))
                    continue
                }
                let looked = ContinuousClock.now
                if let until = settleUntil, looked >= until { settleUntil = nil }
                let wrote: Bool
                if settleUntil == nil {
                    wrote = writes.wait(milliseconds: safety)
                    if wrote { burstStart = ContinuousClock.now }
                } else {
                    // Paced by the clock, not by the writes: a busy database writes far more
                    // often than anyone needs a look. Writes meanwhile wait in the kernel's queue.
                    usleep(Self.microseconds(looked - burstStart < OutboxWatch.eagerFor ? .milliseconds(1) : OutboxWatch.busyLook))
                    wrote = writes.wait(milliseconds: 0)
                }
                if wrote { settleUntil = ContinuousClock.now + OutboxWatch.settle }
            }
            // Under the lock: `stop` interrupts under it, so it never writes to a closed pipe.
            state.withLock { _ in writes?.close() }
        }

        private func ring() {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                defer { state.waiter = nil }
                if state.waiter == nil { state.rung = true }
                return state.waiter
            }
            waiter?.resume(returning: true)
        }

        /// True at a ring; false once stopped or cancelled.
        func wait() async -> Bool {
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let now = state.withLock { state -> Bool? in
                        if state.stopped || Task.isCancelled { return false }
                        if state.rung {
                            state.rung = false
                            return true
                        }
                        state.waiter = continuation
                        return nil
                    }
                    if let now { continuation.resume(returning: now) }
                }
            } onCancel: {
                let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume(returning: false)
            }
        }

        func stop() {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard !state.stopped else { return nil }
                state.stopped = true
                writes?.interrupt()
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: false)
        }

        private static func milliseconds(_ duration: Duration) -> Int32 {
            Int32(clamping: max(1, duration.wholeMilliseconds))
        }

        private static func microseconds(_ duration: Duration) -> UInt32 {
            UInt32(clamping: max(1, duration.wholeMicroseconds))
        }
    }

    /// The look itself, on the watch's thread only: the change counter, then the outbox.
    private struct Look {
        let path: String
        let sweep: Duration
        var watcher: DatabaseQueue?
        var lastVersion: Int?
        var lastLook = ContinuousClock.now

        init(path: String, sweep: Duration) {
            self.path = path
            self.sweep = sweep
        }

        /// The daemon's own commits bump the counter too; the cheap existence check on the same
        /// connection keeps them from costing an ingest transaction each.
        mutating func hasRows() -> Bool {
            if watcher == nil {
                var configuration = Configuration()
                configuration.readonly = true
                configuration.label = "herald.outbox-watch"
                watcher = try? DatabaseQueue(path: path, configuration: configuration)
            }
            guard let watcher else { return false }
            let swept = ContinuousClock.now - lastLook > sweep
            let seen = lastVersion
            // A failed look (the file briefly busy) is a look that found nothing: the sweep tries
            // again, and the database's own errors surface where rows are written.
            // Synchronous, outside a transaction, with cached statements, on a connection nobody
            // else uses: the counter needs no snapshot. Through GRDB's async read (a transaction,
            // hops to the connection's queue and back, statements prepared anew), 100 looks a
            // second cost an idle heraldd 1.3 s of CPU in 30 s; this way, 0.8 to 0.9 s.
            guard let (version, hasRows) = try? watcher.inDatabase({ db -> (Int, Bool) in
                let version = try Int.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
                guard version != seen || swept else { return (version, false) }
                return (version, try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM outbox)")) ?? false)
            }) else { return false }
            if version != lastVersion || swept { lastLook = ContinuousClock.now }
            lastVersion = version
            return hasRows
        }
    }
}

extension QueueDatabase {
    /// Yields whenever producers' rows wait in the outbox; ends when its task is cancelled.
    public func outboxArrivals() -> AsyncThrowingStream<Void, any Error> {
        let watch = OutboxWatch(path: path, safetyLook: .milliseconds(250), sweep: .seconds(5))
        return AsyncThrowingStream { await watch.next() }
    }
}
