import Foundation
import HeraldTestSupport

/// Child processes (heraldd, mostly) under a test's control, with a deadline on every wait.
enum ChildProcess {
    /// Stops `pid` (SIGSTOP) and returns once every thread of it is stopped, so a test can look at
    /// what it has done and act on exactly that (kill it with those posts in flight, signal it with
    /// that many claimed) instead of on a state it moved past while the test, descheduled on a busy
    /// machine, was reading.
    static func freeze(_ pid: Int32) async throws {
        kill(pid, SIGSTOP)
        try await waitUntil("process \(pid) to stop on SIGSTOP", timeout: .seconds(30), interval: .milliseconds(2)) {
            allThreadsStopped(pid)
        }
    }

    static func thaw(_ pid: Int32) {
        kill(pid, SIGCONT)
    }

    /// Every task in /proc/PID/task is in state T; a process gone counts as stopped.
    private static func allThreadsStopped(_ pid: Int32) -> Bool {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return true }
        return tasks.allSatisfy { task in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8),
                  // The state follows the command name, which is in parentheses and may hold spaces.
                  let close = stat.lastIndex(of: ")") else { return true }
            let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
            return state == "T" || state == "t" || state == "X" || state == "Z"
        }
    }

    /// Waits for `process` to exit; kills it and throws if it is still running after `timeout`.
    static func waitForExit(_ process: SpawnedProcess, timeout: Duration = .seconds(60)) async throws {
        let exited = try await eventually(timeout: timeout, interval: .milliseconds(50)) { !process.isRunning }
        guard exited else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw WaitTimedOut(what: "process \(process.processIdentifier) to exit", timeout: timeout, location: #fileID)
        }
        process.waitUntilExit()
    }

    /// For `defer`: SIGTERM, up to `within` to exit, then SIGKILL; never waits without end.
    static func terminate(_ process: SpawnedProcess, within: TimeInterval = 30) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date() + within
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
