import Foundation

/// Starts child processes one at a time. swift-corelibs-foundation's `Process.run()` is not safe
/// to call from several threads at once: parallel tests launching heraldctl crashed in it
/// (a bad pointer in its memcpy) once enough suites spawned processes together.
enum ProcessLaunch {
    private static let lock = NSLock()

    static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }
}
