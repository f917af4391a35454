import Foundation
import HeraldTestSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A child process for the daemon tests, in place of Foundation's `Process`.
///
/// swift-corelibs-foundation's `Process.run()` (Swift 6.3.1) finds the highest open descriptor by
/// copying 256 bytes of every `/proc/self/fd` entry; with the 1,400 descriptors a busy daemon
/// suite holds, the copy runs off glibc's buffer and kills the whole test process ("Bad pointer
/// dereference" in `Process.run()`, swift-corelibs-foundation PR #5472). This spawns with
/// posix_spawn instead, closing every other descriptor with `closefrom`, and starts the child
/// with default signal dispositions and an empty signal mask: a child spawned from one of Swift
/// concurrency's threads would otherwise inherit SIGINT and SIGTERM blocked.
///
/// It offers the part of `Process` the tests use, under the same names.
final class SpawnedProcess: @unchecked Sendable {
    var executableURL: URL?
    var arguments: [String] = []
    /// nil: this process's environment.
    var environment: [String: String]?
    var currentDirectoryURL: URL?
    /// A `Pipe` or a `FileHandle`; nil leaves the descriptor as this process has it.
    var standardInput: Any?
    var standardOutput: Any?
    var standardError: Any?

    private(set) var processIdentifier: Int32 = 0
    /// The raw wait status, once the child has been reaped.
    private let reaped = Mutex<Int32?>(nil)

    struct SpawnFailed: Error, CustomStringConvertible {
        var what: String
        var errno: Int32
        var description: String { "cannot spawn \(what): \(String(cString: strerror(errno)))" }
    }

    func run() throws {
        guard let path = executableURL?.path else { throw SpawnFailed(what: "(no executable)", errno: ENOENT) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, handle) in [(Int32(0), standardInput), (1, standardOutput), (2, standardError)] {
            if let fd = Self.descriptor(handle, childReads: target == 0) { posix_spawn_file_actions_adddup2(&actions, fd, target) }
        }
        if let directory = currentDirectoryURL?.path {
            let result = SpawnFileActions.addChdir(&actions, directory)
            guard result == 0 else { throw SpawnFailed(what: "\(path) in \(directory)", errno: result) }
        }
        let closing = SpawnFileActions.addCloseFrom(&actions, 3)
        guard closing == 0 else { throw SpawnFailed(what: path, errno: closing) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let environment = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnFailed(what: path, errno: result) }
        processIdentifier = pid
        // As Process does: the child's ends of pipes are closed here, so a reader sees end of file
        // when the child exits.
        if let pipe = standardInput as? Pipe { try? pipe.fileHandleForReading.close() }
        if let pipe = standardOutput as? Pipe { try? pipe.fileHandleForWriting.close() }
        if let pipe = standardError as? Pipe, (standardOutput as? Pipe) !== pipe { try? pipe.fileHandleForWriting.close() }
    }

    var isRunning: Bool {
        reaped.withLock { status in
            guard status == nil, processIdentifier > 0 else { return false }
            var raw: Int32 = 0
            let result = waitpid(processIdentifier, &raw, WNOHANG)
            if result == processIdentifier { status = raw }
            return result == 0
        }
    }

    /// Polls: a blocking waitpid would race `isRunning` for the child's status.
    func waitUntilExit() {
        while isRunning { usleep(2_000) }
    }

    /// The exit code, or the number of the signal that ended the child.
    var terminationStatus: Int32 {
        guard let raw = reaped.withLock({ $0 }) else { return 0 }
        let signal = raw & 0x7F
        return signal == 0 ? (raw >> 8) & 0xFF : signal
    }

    func terminate() {
        if processIdentifier > 0, isRunning { kill(processIdentifier, SIGTERM) }
    }

    /// Runs `tool` to its end and returns its exit status and what it wrote. Both outputs are
    /// read at once, so a child that fills one pipe while the other is read cannot stall.
    static func capture(
        _ tool: String, _ arguments: [String], input: String? = nil, environment: [String: String]? = nil, in directory: URL? = nil
    ) throws -> (status: Int32, out: String, err: String) {
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe(), stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        // The semaphore orders the reader thread's write before the read below.
        final class Collected: @unchecked Sendable { var data = Data() }
        let errors = Collected()
        let done = DispatchSemaphore(value: 0)
        Thread {
            errors.data = err.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }.start()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors.data, as: UTF8.self))
    }

    private static func descriptor(_ handle: Any?, childReads: Bool) -> Int32? {
        switch handle {
        case let pipe as Pipe: childReads ? pipe.fileHandleForReading.fileDescriptor : pipe.fileHandleForWriting.fileDescriptor
        case let file as FileHandle: file.fileDescriptor
        default: nil
        }
    }
}
