import Foundation

/// Every wait of the external bench has a deadline and says what it waited for when it fails,
/// so a stuck heraldd ends the run with a reason instead of hanging `make bench`.
enum Waiting {
    /// Polls `done` every `interval` until it returns true; throws after `timeout`. `detail` is
    /// asked only on failure, for the state that explains it (rows left, the daemon's log). Both
    /// may be async (a query over the network) or not (a file read).
    static func until(
        _ what: String, timeout: Duration, interval: Duration,
        detail: () async throws -> String = { "" }, _ done: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try await done() { return }
            if ContinuousClock.now > deadline {
                let more = (try? await detail()) ?? ""
                throw BenchFailure("gave up waiting for \(what) after \(timeout)" + (more.isEmpty ? "" : ": \(more)"))
            }
            try await Task.sleep(for: interval)
        }
    }
}
