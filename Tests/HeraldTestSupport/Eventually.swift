/// Waiting in tests: a condition is polled until it holds or a deadline passes, never slept on
/// and never waited for without an end. On a busy 2-core machine "after 200 ms" proves nothing,
/// and a loop without a deadline turns a failure into a hung test run.

/// What a test waited for did not happen in time; thrown, it fails the test with this message.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public var what: String
    public var timeout: Duration
    public var location: String

    public init(what: String, timeout: Duration, location: String) {
        self.what = what
        self.timeout = timeout
        self.location = location
    }

    public var description: String {
        "\(location): waited \(timeout) for \(what), in vain"
    }
}

/// Polls `condition` every `interval` until it holds, or `timeout` passes: then returns whether
/// it holds at the last look. For `#expect(try await eventually { … })`.
public func eventually(
    timeout: Duration = .seconds(30), interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}

/// Polls `condition` until it holds; throws ``WaitTimedOut`` naming `what` once `timeout` passes.
/// For waits the rest of a test depends on.
public func waitUntil(
    _ what: @autoclosure () -> String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(20),
    fileID: String = #fileID, line: Int = #line,
    _ condition: () async throws -> Bool
) async throws {
    guard try await eventually(timeout: timeout, interval: interval, condition) else {
        throw WaitTimedOut(what: what(), timeout: timeout, location: "\(fileID):\(line)")
    }
}
