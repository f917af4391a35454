import CCurl
import Dispatch
import Foundation
import HeraldCore
import Synchronization

/// libcurl's global initialisation is not thread-safe, so it happens exactly once, lazily,
/// before the first handle exists (Swift initialises globals under a once-guard). The SMTP
/// mailer reads it too.
let curlGlobalInitCode: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

/// An async HTTP client on libcurl's multi interface.
///
/// One dedicated thread owns the multi handle and every easy handle; callers only touch a
/// lock-protected queue and `curl_multi_wakeup`, the one multi call libcurl allows from any
/// thread. Easy handles are recycled, so the multi's connection cache keeps connections alive
/// across requests. At most `maxInFlight` transfers run at once; the rest wait, in order.
public final class CurlMulti: Sendable {
    /// Counters since creation, for benchmarks and diagnostics.
    public struct Statistics: Sendable, Equatable {
        public var completed: Int
        /// Connections libcurl had to open; far below `completed` when keep-alive works.
        public var connectionsOpened: Int
    }

    private let shared: CurlShared

    /// - Parameters:
    ///   - maxInFlight: transfers running at once; further requests queue.
    ///   - connectTimeout: limit on establishing a connection.
    ///   - totalTimeout: limit on one transfer, from when it starts running (not from queueing).
    ///   - maxConnectionsPerHost: cap on simultaneous connections to one host, if any.
    public init(maxInFlight: Int, connectTimeout: Duration, totalTimeout: Duration, maxConnectionsPerHost: Int? = nil) throws(CurlMultiError) {
        guard maxInFlight > 0 else {
            throw .invalidConfiguration("maxInFlight must be at least 1, got \(maxInFlight)")
        }
        if let maxConnectionsPerHost, maxConnectionsPerHost <= 0 {
            throw .invalidConfiguration("maxConnectionsPerHost must be at least 1 when set, got \(maxConnectionsPerHost)")
        }
        let connectMilliseconds = try Self.milliseconds(connectTimeout, name: "connectTimeout")
        let totalMilliseconds = try Self.milliseconds(totalTimeout, name: "totalTimeout")
        guard curlGlobalInitCode == CURLE_OK else {
            throw .libcurlInitFailed(code: Int32(bitPattern: curlGlobalInitCode.rawValue))
        }
        guard let multi = curl_multi_init() else { throw .multiHandleUnavailable }
        if let maxConnectionsPerHost {
            _ = herald_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        }
        // One idle connection per possible in-flight transfer is enough to reuse them all.
        _ = herald_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(maxInFlight, maxConnectionsPerHost ?? 0))

        let shared = CurlShared(multi: CurlMultiHandle(raw: multi))
        self.shared = shared
        let worker = CurlWorker(
            shared: shared,
            maxInFlight: maxInFlight,
            connectTimeoutMilliseconds: connectMilliseconds,
            totalTimeoutMilliseconds: totalMilliseconds
        )
        let thread = Thread { worker.run() }
        thread.name = "herald-curl"
        thread.start()
    }

    deinit {
        // Don't wait here: deinit may run anywhere, and the thread finishes on its own.
        shared.requestShutdown()
    }

    /// Runs the request to completion. Never throws: every failure is an ``HTTPResult/transportError(code:message:requestSent:)``.
    /// Cancelling the calling task does not stop the transfer; the result is still delivered.
    public func perform(_ request: HTTPRequest) async -> HTTPResult {
        await withCheckedContinuation { continuation in
            perform(request) { continuation.resume(returning: $0) }
        }
    }

    /// Runs the request and hands its result to `finished`, on the curl thread (or at once on the
    /// caller's if the client is shut down): for callers that post many at once without a task
    /// and a continuation each. `finished` must be quick and must not block.
    public func perform(_ request: HTTPRequest, then finished: @escaping @Sendable (HTTPResult) -> Void) {
        if !shared.enqueue(CurlPending(request: request, finished: finished)) {
            finished(CurlShared.shutDownResult(requestSent: false))
        }
    }

    /// Fails every queued and running request with a transport error, then stops the thread
    /// and frees libcurl's handles. Returns once that is done. Later requests fail at once.
    public func shutdown() {
        shared.requestShutdown()
        shared.waitForExit()
    }

    public var statistics: Statistics {
        Statistics(
            completed: shared.completed.load(ordering: .relaxed),
            connectionsOpened: shared.connectionsOpened.load(ordering: .relaxed)
        )
    }

    private static func milliseconds(_ duration: Duration, name: String) throws(CurlMultiError) -> Int {
        let milliseconds = duration.wholeMilliseconds
        guard milliseconds > 0 else {
            throw .invalidConfiguration("\(name) must be at least 1 ms, got \(duration)")
        }
        return Int(milliseconds)
    }
}

/// The multi handle, shared only so callers can `curl_multi_wakeup` it, which libcurl
/// documents as safe from any thread; every other use is on the worker thread.
struct CurlMultiHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}

struct CurlPending: Sendable {
    let request: HTTPRequest
    let finished: @Sendable (HTTPResult) -> Void
}

/// What callers and the worker thread share.
final class CurlShared: Sendable {
    struct Inbox {
        var pending: [CurlPending] = []
        /// A wakeup is already on its way, so further enqueues needn't send another.
        var wakeupPending = false
        var shuttingDown = false
    }

    let multi: CurlMultiHandle
    let inbox = Mutex(Inbox())
    let completed = Atomic<Int>(0)
    let connectionsOpened = Atomic<Int>(0)
    private let exited = DispatchSemaphore(value: 0)

    init(multi: CurlMultiHandle) {
        self.multi = multi
    }

    /// False once shutdown has begun. The wakeup is sent under the lock so it can never race
    /// the worker freeing the multi handle, which it only does after seeing `shuttingDown`.
    func enqueue(_ item: CurlPending) -> Bool {
        inbox.withLock { inbox in
            guard !inbox.shuttingDown else { return false }
            inbox.pending.append(item)
            if !inbox.wakeupPending {
                inbox.wakeupPending = true
                curl_multi_wakeup(multi.raw)
            }
            return true
        }
    }

    func requestShutdown() {
        inbox.withLock { inbox in
            guard !inbox.shuttingDown else { return }
            inbox.shuttingDown = true
            curl_multi_wakeup(multi.raw)
        }
    }

    /// Called by the worker: moves new requests to the end of `backlog`; true once shutdown has begun.
    /// Swapping buffers when the backlog is empty hands both arrays back and forth without allocating.
    func takePending(into backlog: inout [CurlPending]) -> Bool {
        inbox.withLock { inbox in
            inbox.wakeupPending = false
            if backlog.isEmpty {
                swap(&backlog, &inbox.pending)
            } else if !inbox.pending.isEmpty {
                backlog.append(contentsOf: inbox.pending)
                inbox.pending.removeAll(keepingCapacity: true)
            }
            return inbox.shuttingDown
        }
    }

    func signalExit() {
        exited.signal()
    }

    /// Every waiter passes the signal on, so several concurrent `shutdown()` calls all return.
    func waitForExit() {
        exited.wait()
        exited.signal()
    }

    static func shutDownResult(requestSent: Bool) -> HTTPResult {
        .transportError(
            code: Int32(bitPattern: CURLE_ABORTED_BY_CALLBACK.rawValue),
            message: "HTTP client was shut down before the request completed",
            requestSent: requestSent
        )
    }
}
