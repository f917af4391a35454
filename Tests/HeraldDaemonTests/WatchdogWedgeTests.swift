import CarrierSimulator
import Foundation
import GRDB
import Testing

extension SystemdNotifyTests.NotifyListener {
    typealias Datagram = (at: ContinuousClock.Instant, text: String)

    /// Datagrams with the time each arrived, until `deadline` or until `until` holds for them.
    /// Polls without blocking: a blocking recv would hold one of the two threads every test of the
    /// process shares on this machine for the whole wait.
    func collect(deadline: ContinuousClock.Instant, until: ([Datagram]) throws -> Bool) async rethrows -> [Datagram] {
        var received: [Datagram] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline, try !until(received) {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 {
                received.append((ContinuousClock.now, String(decoding: buffer[0..<count], as: UTF8.self)))
            } else {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        return received
    }
}

extension SystemdNotifyTests {
    @Test("STATUS= with queue depth and rate; WATCHDOG=1 stops when the dispatch loop wedges; STOPPING=1 on SIGTERM")
    func watchdogStopsWhenDispatchWedges() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CrashRecoveryTests.heralddPath))
        let directory = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let listener = try NotifyListener(path: directory.appendingPathComponent("notify").path)
        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(20))) { simulator in
            let (configPath, databasePath, log) = try CrashRecoveryTests.writeFiles(in: directory, simulator: simulator) {
                $0.replacingOccurrences(of: "level = \"warning\"", with: "level = \"info\"")
            }
            let process = try CrashRecoveryTests.startHeraldd(config: configPath, log: log, environment: [
                "NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000", "HERALD_TEST_WEDGE_DISPATCH_AFTER": "5",
                "WATCHDOG_PID": nil, "JOURNAL_STREAM": nil,
            ])
            defer { ChildProcess.terminate(process) }
            func logText() -> String { String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self) }

            var received = await listener.collect(deadline: ContinuousClock.now + .seconds(60)) { received in
                received.contains { $0.text == "READY=1" } && received.filter { $0.text == "WATCHDOG=1" }.count >= 2
            }
            try #require(received.contains { $0.text == "READY=1" }, "no READY=1; log:\n\(logText())")
            #expect(received.filter { $0.text == "WATCHDOG=1" }.count >= 2, "\(received.map(\.text))")

            // Five messages go out; the fifth claim wedges the loop.
            let producer = try await CrashRecoveryTests.producer(databasePath: databasePath, log: log)
            func count(_ condition: String) throws -> Int {
                try producer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE \(condition)") ?? 0 }
            }
            func insert(_ count: Int, from first: Int) throws {
                try DaemonHarness.optIn((first..<(first + count)).map { ("acme", String(format: "+1612558%04d", $0)) }, in: producer)
                try producer.write { db in
                    for i in first..<(first + count) {
                        try db.execute(sql: "INSERT INTO outbox (org, sender, to_number, body) VALUES ('acme', 'alice', ?, 'wedge test')",
                                       arguments: [String(format: "+1612558%04d", i)])
                    }
                }
            }
            try insert(5, from: 0)
            received += try await listener.collect(deadline: ContinuousClock.now + .seconds(60)) { _ in
                try count("state IN ('sent', 'delivered')") == 5 && logText().contains("dispatch loop wedged")
            }
            #expect(try count("state IN ('sent', 'delivered')") == 5)
            try #require(logText().contains("dispatch loop wedged"), "the test hook never wedged the loop; log:\n\(logText())")

            // Seven more wait, due, while the loop makes no progress: the pings must stop, the status goes on.
            try insert(7, from: 100)
            let wedgedAt = ContinuousClock.now
            received = await listener.collect(deadline: wedgedAt + .seconds(12)) { _ in false }
            // A ping sent just before the wedge may still sit in the socket: look from 1 s on, 55 intervals.
            let late = received.filter { $0.text == "WATCHDOG=1" && $0.at > wedgedAt + .seconds(1) }
            #expect(late.isEmpty, "WATCHDOG=1 went on after the dispatch loop wedged: \(late.count) pings")
            let statuses = received.map(\.text).filter { $0.hasPrefix("STATUS=") }
            #expect(statuses.count >= 2, "\(received.map(\.text))")
            #expect(statuses.contains { $0.hasPrefix("STATUS=queued 7, scheduled 0, awaiting consent 0, sending 0, sent/s ") },
                    "\(statuses)")
            let rates = statuses.compactMap { status in
                status.split(separator: "sent/s ").last?.split(separator: " ").first.flatMap { Double($0) }
            }
            #expect(rates.count == statuses.count && rates.allSatisfy { $0 > 0 }, "5 sent within the last minute: \(statuses)")
            #expect(try count("state = 'queued'") == 7)

            kill(process.processIdentifier, SIGTERM)
            received = await listener.collect(deadline: ContinuousClock.now + .seconds(30)) { $0.contains { $0.text.contains("STOPPING=1") } }
            #expect(received.contains { $0.text.contains("STOPPING=1") }, "\(received.map(\.text))")
            try await ChildProcess.waitForExit(process, timeout: .seconds(30))
            #expect(process.terminationStatus == 0)

            // Not under a journal: logfmt on stderr, with the catalogued events and an info rollup.
            let parsed = logText().split(separator: "\n").map { LogFormatTests.parse(String($0)) }
            func lines(_ event: String) -> [[String: String]] {
                parsed.map { Dictionary($0.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }) }
                    .filter { $0["event"] == event }
            }
            #expect(parsed.allSatisfy { $0.first?.key == "ts" && $0.dropFirst().first?.key == "level" }, "\(logText())")
            #expect(lines("started").count == 1)
            #expect(lines("stopping").count == 1)
            let rollups = lines("summary")
            #expect(rollups.allSatisfy { $0["level"] == "info" && $0["msg"]?.hasPrefix("in the last ") == true }, "\(rollups)")
            #expect(rollups.reduce(0) { $0 + (Int($1["sent"] ?? "0") ?? 0) } == 5, "\(rollups)")
            #expect(lines("sent").isEmpty, "per-message lines are debug, the run logs at info")
        }
    }
}

extension SystemdNotifyTests {
    @Test("WATCHDOG=1 stops while every claim fails (a loop that spins without progress), and resumes once claims succeed")
    func watchdogStopsWhileClaimsFail() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CrashRecoveryTests.heralddPath))
        let directory = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let listener = try NotifyListener(path: directory.appendingPathComponent("notify").path)
        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(20))) { simulator in
            let (configPath, databasePath, log) = try CrashRecoveryTests.writeFiles(in: directory, simulator: simulator)
            let process = try CrashRecoveryTests.startHeraldd(config: configPath, log: log, environment: [
                "NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000", "WATCHDOG_PID": nil,
            ])
            defer { ChildProcess.terminate(process) }
            let ready = await listener.collect(deadline: ContinuousClock.now + .seconds(60)) { $0.contains { $0.text == "READY=1" } }
            try #require(ready.contains { $0.text == "READY=1" })

            // Stands in for a disk that refuses every write of a claim: the loop goes on, claiming fails.
            let producer = try await CrashRecoveryTests.producer(databasePath: databasePath, log: log)
            try DaemonHarness.optIn([("acme", "+16125550123")], in: producer)
            try await producer.write { db in
                try db.execute(sql: """
                    CREATE TRIGGER refuse_claims BEFORE UPDATE OF state ON message WHEN NEW.state = 'sending'
                    BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END;
                    INSERT INTO outbox (org, sender, to_number, body) VALUES ('acme', 'alice', '+16125550123', 'stuck');
                    """)
            }
            let failingFrom = ContinuousClock.now
            let failing = await listener.collect(deadline: failingFrom + .seconds(8)) { _ in false }
            let late = failing.filter { $0.text == "WATCHDOG=1" && $0.at > failingFrom + .seconds(2) }
            #expect(late.isEmpty, "WATCHDOG=1 went on while every claim failed: \(late.count) pings")
            #expect(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self).contains("cannot claim due messages"))

            try await producer.write { db in try db.execute(sql: "DROP TRIGGER refuse_claims") }
            let recovered = await listener.collect(deadline: ContinuousClock.now + .seconds(30)) { received in
                received.filter { $0.text == "WATCHDOG=1" }.count >= 2
            }
            #expect(recovered.filter { $0.text == "WATCHDOG=1" }.count >= 2, "pings resume once claims succeed")
            let delivered = try await producer.read { db in try String.fetchOne(db, sql: "SELECT state FROM messages ORDER BY id DESC LIMIT 1") }
            #expect(["sending", "sent", "delivered"].contains(delivered ?? ""), "nothing lost: the message goes once claims work")
        }
    }
}
