import CarrierSimulator
import Foundation
import Testing

/// heraldd as systemd sees it: a real process reporting on a NOTIFY_SOCKET this test listens on.
@Suite("systemd notify", .serialized)
struct SystemdNotifyTests {
    /// A datagram socket standing in for systemd's notify socket.
    final class NotifyListener {
        let path: String
        let fd: Int32

        init(path: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(.EMFILE) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(fd)
            unlink(path)
        }

        /// Datagrams received until `deadline` or until `until` holds for what was read.
        func receive(until: ([String]) -> Bool, deadline: ContinuousClock.Instant) -> [String] {
            var messages: [String] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while ContinuousClock.now < deadline, !until(messages) {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count > 0 { messages.append(String(decoding: buffer[0..<count], as: UTF8.self)) }
            }
            return messages
        }
    }

    @Test("READY=1 once listening, then WATCHDOG=1 pings from the dispatch loop")
    func readyThenWatchdog() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CrashRecoveryTests.heralddPath))
        let directory = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let listener = try NotifyListener(path: directory.appendingPathComponent("notify").path)
        try await CarrierSimulator.withRunning { simulator in
            let (configPath, _, log) = try CrashRecoveryTests.writeFiles(in: directory, simulator: simulator)
            let process = try CrashRecoveryTests.startHeraldd(config: configPath, log: log, environment: [
                "NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000", "WATCHDOG_PID": nil,
            ])
            defer { ChildProcess.terminate(process) }
            let messages = listener.receive(
                until: { received in received.contains("READY=1") && received.filter { $0 == "WATCHDOG=1" }.count >= 2 },
                deadline: ContinuousClock.now + .seconds(30)
            )
            #expect(messages.contains("READY=1"), "\(messages)")
            #expect(messages.filter { $0 == "WATCHDOG=1" }.count >= 2, "\(messages)")
        }
    }
}
