import Foundation
import Logging
import ServiceLifecycle

/// Faults that tests of the real heraldd process switch on through the environment. Read once at
/// start. Never set them in production.
enum TestHooks {
    /// `HERALD_TEST_WEDGE_DISPATCH_AFTER=N`: once the dispatch loop has claimed N messages and
    /// written their posts' results, it stops making progress (no claims, no WATCHDOG=1) as a hung
    /// database call would, until shutdown. The watchdog test uses it to see the pings stop while
    /// due messages wait (docs/systemd.md).
    static let wedgeDispatchAfterClaims: Int? = ProcessInfo.processInfo.environment["HERALD_TEST_WEDGE_DISPATCH_AFTER"]
        .flatMap { Int($0) }

    static func wedgeDispatch(afterClaims claimed: Int, logger: Logger) async {
        logger.warning("test hook HERALD_TEST_WEDGE_DISPATCH_AFTER: dispatch loop wedged after \(claimed) claims; unset it outside tests")
        // Still leaves on SIGTERM, so the test can watch the shutdown too.
        try? await gracefulShutdown()
    }
}
