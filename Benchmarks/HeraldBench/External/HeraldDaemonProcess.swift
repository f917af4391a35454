import Foundation

/// The real heraldd binary as a child of the bench, run as an operator runs it (`heraldd
/// --config FILE`), its log in the state folder. Everything the bench learns about it comes from
/// outside: /proc, the admin socket through heraldctl, and the queue database.
final class HeraldDaemonProcess {
    let state: OperatorState
    private let process = Process()
    private let log: FileHandle
    /// When the process was started, for waits timed from its start (the ingest of a backlog).
    private(set) var startedAt = ContinuousClock.now

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    init(state: OperatorState) throws {
        self.state = state
        _ = FileManager.default.createFile(atPath: state.logPath, contents: nil)
        log = try FileHandle(forWritingTo: URL(fileURLWithPath: state.logPath))
        try log.seekToEnd()
        process.executableURL = URL(fileURLWithPath: state.heraldd)
        process.arguments = ["--config", state.configPath]
        process.standardOutput = log
        process.standardError = log
        // As under the shipped unit: no terminal, so heraldd logs plain lines to stderr.
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "NOTIFY_SOCKET")
        environment.removeValue(forKey: "JOURNAL_STREAM")
        process.environment = environment
    }

    deinit { try? log.close() }

    /// Starts heraldd; returns as soon as the process exists (heraldd works from its first instant).
    func start() throws {
        startedAt = .now
        try process.run()
    }

    /// Waits until the admin socket answers `heraldctl status`: migrations are done and the
    /// configuration's organizations and senders are in the database.
    func waitReady(timeout: Duration = .seconds(60)) async throws {
        try await Waiting.until("heraldd to answer heraldctl status", timeout: timeout, interval: .milliseconds(50),
                                detail: { self.logTail() }) {
            guard process.isRunning else { throw BenchFailure("heraldd exited (status \(process.terminationStatus)) before it was ready: \(logTail())") }
            return FileManager.default.fileExists(atPath: state.socketPath)
        }
        let deadline = ContinuousClock.now + timeout
        while true {
            let answer = try await ToolRun.run(state.heraldctl, ["--socket", state.socketPath, "status"], scratch: state.folder)
            if answer.status == 0 { return }
            if ContinuousClock.now > deadline {
                throw BenchFailure("heraldctl status kept failing for \(timeout): \(answer.output) \(logTail())")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Fails the run if heraldd has died: a bench figure from a dead daemon would be meaningless.
    func checkAlive() throws {
        guard process.isRunning else { throw BenchFailure("heraldd exited (status \(process.terminationStatus)): \(logTail())") }
    }

    /// SIGTERM, as systemd stops it; heraldd finishes in-flight posts within dispatch.shutdown_grace
    /// (10 s by default), so 30 s is generous. Past it, SIGKILL and fail.
    func stop(timeout: Duration = .seconds(30)) async throws {
        guard process.isRunning else { return }
        process.terminate()
        do {
            try await Waiting.until("heraldd to exit after SIGTERM", timeout: timeout, interval: .milliseconds(20)) { !process.isRunning }
        } catch {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            throw error
        }
        process.waitUntilExit()
        try? log.synchronize()
    }

    /// For `defer` and failures: never leaves a heraldd behind, never waits without end.
    func kill9IfRunning() {
        guard process.isRunning else { return }
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }

    /// The last lines heraldd logged, to say why a wait failed.
    func logTail(lines: Int = 15) -> String {
        guard let text = try? String(contentsOfFile: state.logPath, encoding: .utf8) else { return "(no heraldd log)" }
        let tail = text.split(separator: "\n").suffix(lines).joined(separator: "\n")
        return tail.isEmpty ? "(heraldd logged nothing)" : "heraldd log (\(state.logPath)):\n\(tail)"
    }
}
