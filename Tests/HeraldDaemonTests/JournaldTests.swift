import CarrierSimulator
import Foundation
@testable import HeraldDaemon
import Testing

/// heraldd under a real systemd-journald: the operator's question "what happened to message 42?"
/// is one `journalctl HERALD_MESSAGE_ID=42`.
@Suite("journald", .serialized)
struct JournaldTests {
    /// Journal entries as `journalctl -o json` prints them, one object per line.
    static func journal(_ directory: URL, _ matches: [String]) throws -> [[String: String]] {
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/journalctl")
        process.arguments = ["-D", directory.path, "-o", "json", "--no-pager"] + matches
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            // Fields journald stores as binary come as byte arrays; Herald's are all text.
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            return object.compactMapValues { $0 as? String }
        }
    }

    @Test(
        "One message's whole history, queued to delivered, is one journalctl query on HERALD_MESSAGE_ID",
        .enabled(if: JournaldSandbox.unavailableReason == nil,
                 "needs root, unshare(1), systemd-cat(1), journalctl(1) and /lib/systemd/systemd-journald to start a private journald")
    )
    func messageHistory() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CrashRecoveryTests.heralddPath))
        let directory = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journalDirectory = directory.appendingPathComponent("journal")
        try FileManager.default.createDirectory(at: journalDirectory, withIntermediateDirectories: true)
        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(20))) { simulator in
            let (configPath, databasePath, log) = try CrashRecoveryTests.writeFiles(in: directory, simulator: simulator) {
                $0.replacingOccurrences(of: "level = \"warning\"", with: "level = \"debug\"")
            }
            let scriptPath = directory.appendingPathComponent("sandbox.sh").path
            try JournaldSandbox.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
            let sandbox = SpawnedProcess()
            sandbox.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
            sandbox.arguments = ["-m", "--propagation", "private", "/bin/sh", scriptPath]
            var environment = ProcessInfo.processInfo.environment
            environment["SANDBOX"] = directory.path
            environment["HERALDD"] = CrashRecoveryTests.heralddPath
            environment["CONFIG"] = configPath
            for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM"] { environment.removeValue(forKey: name) }
            sandbox.environment = environment
            FileManager.default.createFile(atPath: log.path, contents: nil)
            sandbox.standardError = try FileHandle(forWritingTo: log)
            sandbox.standardOutput = try FileHandle(forWritingTo: log)
            try sandbox.run()
            func pid(_ name: String) -> pid_t? {
                (try? String(contentsOfFile: directory.appendingPathComponent("\(name).pid").path, encoding: .utf8))
                    .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }
            defer {
                // Only on failure are these still running: stop the two processes this test started.
                if sandbox.isRunning {
                    for name in ["heraldd", "journald"] { if let pid = pid(name) { kill(pid, SIGKILL) } }
                    sandbox.waitUntilExit()
                }
            }

            let producer = try await CrashRecoveryTests.producer(databasePath: databasePath, log: log)
            try DaemonHarness.optIn([("acme", "+16125559876")], in: producer)
            let id = try await producer.write { db in
                try db.execute(sql: "INSERT INTO outbox (org, sender, to_number, body) VALUES ('acme', 'alice', '+16125559876', 'journal test')")
                return db.lastInsertedRowID
            }
            let deadline = ContinuousClock.now + .seconds(60)
            var state: String?
            while ContinuousClock.now < deadline {
                state = try await producer.read { db in try String.fetchOne(db, sql: "SELECT state FROM messages WHERE id = ?", arguments: [id]) }
                if state == "delivered" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            try #require(state == "delivered", "message \(id) is \(state ?? "missing"); output:\n\(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))")
            let sid = try await producer.read { db in try String.fetchOne(db, sql: "SELECT carrier_sid FROM messages WHERE id = ?", arguments: [id]) }

            let heralddPID = try #require(pid("heraldd"))
            kill(heralddPID, SIGTERM)
            let stopBy = ContinuousClock.now + .seconds(30)
            while sandbox.isRunning, ContinuousClock.now < stopBy { try await Task.sleep(for: .milliseconds(50)) }
            let output = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
            try #require(!sandbox.isRunning, "heraldd or journald did not stop; output:\n\(output)")
            #expect(sandbox.terminationStatus == 0, "output:\n\(output)")

            // Its history: the catalogued transitions in order, among other debug lines about it (a
            // duplicate callback ignored, say).
            let history = try Self.journal(journalDirectory, ["HERALD_MESSAGE_ID=\(id)"])
            let ids = Dictionary(uniqueKeysWithValues: HeraldEvent.allCases.map { ($0.messageID, $0) })
            // On a loaded machine a POST may time out and be retried: that is history too, but not
            // what this test is about, so retries are left out of the comparison.
            let events = history.filter { $0["MESSAGE_ID"] != nil && $0["HERALD_EVENT"] != "retried" }
            // The journal tells the history the database holds: usually queued, sent, delivered; but
            // when the delivery report overtakes the POST's answer the message goes from sending
            // straight to delivered, and no line may claim a `sent` that never happened.
            let stored = try await producer.read { db in
                try String.fetchAll(db, sql: """
                    SELECT to_state FROM message_events WHERE message_id = ? AND to_state IN ('queued', 'sent', 'delivered') ORDER BY id
                    """, arguments: [id])
            }
            #expect(stored.first == "queued" && stored.last == "delivered", "\(stored)")
            #expect(events.map { $0["MESSAGE_ID"].flatMap { ids[$0]?.rawValue } } == stored,
                    "\(history.map { $0["MESSAGE"] ?? "?" })")
            #expect(events.map { $0["HERALD_EVENT"] } == stored)
            #expect(events.map { $0["HERALD_STATE"] } == stored)
            #expect(events.allSatisfy { $0["HERALD_ORG"] == "acme" })
            #expect(events.dropFirst().allSatisfy { $0["HERALD_CARRIER_SID"] == sid }, "sid \(sid ?? "-")")
            #expect(events.first?["MESSAGE"] == "message \(id) queued")
            #expect(history.allSatisfy { $0["SYSLOG_IDENTIFIER"] == "heraldd" && $0["PRIORITY"] == "7" })
            #expect(history.allSatisfy { $0["_TRANSPORT"] == "journal" }, "sent natively, not as text on the stream")

            // The daemon's own life, found by MESSAGE_ID; and nothing fell back to text on stderr.
            #expect(try Self.journal(journalDirectory, ["MESSAGE_ID=\(HeraldEvent.started.messageID)"]).count == 1)
            #expect(try Self.journal(journalDirectory, ["MESSAGE_ID=\(HeraldEvent.stopping.messageID)"]).count == 1)
            let asText = try Self.journal(journalDirectory, ["SYSLOG_IDENTIFIER=heraldd", "_TRANSPORT=stdout"])
            #expect(asText.isEmpty, "stderr lines: \(asText.map { $0["MESSAGE"] ?? "?" })")
        }
    }
}
