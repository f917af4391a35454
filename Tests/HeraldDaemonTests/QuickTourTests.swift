import CarrierSimulator
import Foundation
import GRDB
import HeraldTestSupport
import Testing

/// README's quick tour, which `make run` prints, run command by command as a newcomer would:
/// the real heraldd on the real dev profile (`etc/herald/herald.dev.toml`), the real heraldctl,
/// sqlite3 and curl, from a folder laid out like a checkout (`var/`, `.build/debug/heraldctl`).
/// Only the loopback ports differ: a test binds what the system gives it.
@Suite("README quick tour", .serialized)
struct QuickTourTests {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The commands between README's `<!-- tour` and `<!-- /tour -->` markers, comments dropped.
    static func tourCommands() throws -> [String] {
        let readme = try String(contentsOf: checkout.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix("<!-- tour") }),
              let end = lines.firstIndex(where: { $0.hasPrefix("<!-- /tour -->") }), start < end else {
            throw TourError("README.md has no <!-- tour --> … <!-- /tour --> section")
        }
        var commands: [String] = []
        var pending = ""
        for line in lines[(start + 1)..<end] where !line.hasPrefix("```") && !line.hasPrefix("#") && !line.isEmpty {
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
            } else {
                commands.append(pending + line)
                pending = ""
            }
        }
        return commands
    }

    struct TourError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test("every command of README's quick tour works as printed and does what README says")
    func quickTour() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CrashRecoveryTests.heralddPath))
        for tool in ["/usr/bin/sqlite3", "/usr/bin/curl"] {
            try #require(FileManager.default.isExecutableFile(atPath: tool), "\(tool) is missing: `make deps` installs it")
        }
        let commands = try Self.tourCommands()
        #expect(commands.count >= 10, "\(commands)")

        let folder = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: folder.appendingPathComponent("var"), withIntermediateDirectories: true)
        try fileManager.createDirectory(at: folder.appendingPathComponent(".build/debug"), withIntermediateDirectories: true)
        try fileManager.createSymbolicLink(
            atPath: folder.appendingPathComponent(".build/debug/heraldctl").path, withDestinationPath: ReloadAndAccessTests.heraldctlPath
        )
        try fileManager.createDirectory(at: folder.appendingPathComponent("etc/herald"), withIntermediateDirectories: true)
        let webhookPort = try PortReservation()
        let metricsPort = try PortReservation()

        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(100))) { simulator in
            try simulator.authToken.write(to: folder.appendingPathComponent("var/carrier-token"), atomically: true, encoding: .utf8)
            let shipped = try String(contentsOf: Self.checkout.appendingPathComponent("etc/herald/herald.dev.toml"), encoding: .utf8)
            let config = shipped
                .replacingOccurrences(of: "127.0.0.1:8088", with: "127.0.0.1:\(webhookPort.port)")
                .replacingOccurrences(of: "http://127.0.0.1:8089", with: simulator.baseURL)
                .replacingOccurrences(of: "127.0.0.1:8090", with: "127.0.0.1:\(metricsPort.port)")
            try #require(config.contains("127.0.0.1:\(metricsPort.port)"), "herald.dev.toml no longer names ports 8088/8089/8090")
            let configPath = folder.appendingPathComponent("etc/herald/herald.dev.toml").path
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
            simulator.setInboundURL("http://127.0.0.1:\(webhookPort.port)/webhooks/inbound")

            let log = folder.appendingPathComponent("heraldd.log")
            let heraldd = try CrashRecoveryTests.startHeraldd(config: configPath, log: log)
            defer { ChildProcess.terminate(heraldd) }
            let socket = folder.appendingPathComponent("var/admin.sock").path
            try await waitUntil("heraldd's admin socket at \(socket)") { fileManager.fileExists(atPath: socket) }
            let database = try DatabaseQueue(path: folder.appendingPathComponent("var/herald.db").path)

            var outputs: [String] = []
            for command in commands {
                let line = command.replacingOccurrences(of: "http://127.0.0.1:8089", with: simulator.baseURL)
                    .replacingOccurrences(of: "127.0.0.1:8090", with: "127.0.0.1:\(metricsPort.port)")
                if line.hasSuffix(" watch") {
                    try await watch(line, in: folder, database: database)
                    continue
                }
                let result = try await offPool { try Self.shell(line, in: folder) }
                #expect(result.status == 0 && result.err.isEmpty, "`\(command)` exited \(result.status): \(result.err)\nheraldd log:\n\(Self.read(log))")
                outputs.append(result.out)
                try await Self.settle(database, after: command)
            }

            // The daemon options go before or after the command, and $HERALD_SOCKET stands in for --socket.
            for line in [".build/debug/heraldctl --json --socket=var/admin.sock status", "HERALD_SOCKET=var/admin.sock .build/debug/heraldctl --json status"] {
                let json = try await offPool { try Self.shell(line, in: folder) }
                #expect(json.status == 0 && json.out.hasPrefix("{"), "`\(line)`: \(json)")
            }

            // What README says each step does.
            func state(_ body: String) throws -> (state: String, reason: String?, heldReason: String?)? {
                try database.read { db in
                    try Row.fetchOne(db, sql: "SELECT state, reason, held_reason FROM messages WHERE body = ? ORDER BY id DESC", arguments: [body])
                        .map { ($0["state"], $0["reason"], $0["held_reason"]) }
                }
            }
            #expect(try state("Hello from Herald")?.state == "delivered")
            #expect(outputs.contains { $0.contains("delivered") }, "no SELECT of step 1 showed delivered: \(outputs)")
            #expect(try state("Hi from heraldctl")?.state == "delivered")
            let refused = try state("Are you there?")
            #expect(refused?.state == "rejected" && refused?.reason == "no_consent", "\(String(describing: refused))")
            let consent = try await database.read { db in
                try [String: String](uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT number, state FROM consents WHERE org = 'demo'").map {
                    ($0["number"] as String, $0["state"] as String)
                })
            }
            #expect(consent["+16125550123"] == "opted_out" && consent["+16125550124"] == "opted_in", "\(consent)")
            let journeyWaited = try await database.read { db in
                try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM message_events e JOIN messages m ON m.id = e.message_id
                    WHERE m.body = 'Your order has shipped' AND e.to_state = 'awaiting_consent'
                    """) ?? 0
            }
            #expect(journeyWaited == 1)
            // Released by the YES: sent in the contact's daytime, else held for the morning.
            let journey = try #require(try state("Your order has shipped"))
            switch Self.minnesotaHour() {
            case 8..<21:
                #expect(journey.state == "delivered", "\(journey)")
            default:
                #expect(journey.state == "scheduled" && ["recipient_quiet_hours", "state_rule"].contains(journey.heldReason ?? ""), "\(journey)")
            }
        }
    }

    /// Starts `watch`, makes something happen, and expects to see it; then stops it.
    private func watch(_ line: String, in folder: URL, database: DatabaseQueue) async throws {
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec " + line]
        process.currentDirectoryURL = folder
        let output = folder.appendingPathComponent("watch.out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        try process.run()
        defer { ChildProcess.terminate(process) }
        // Until the watch is attached an event may go unseen, so keep texting until one shows.
        try await waitUntil("`\(line)` to print an event") {
            try await database.write { db in
                try db.execute(sql: "INSERT INTO outbox (org, sender, to_number, body) VALUES ('demo', 'alice', '+16125550124', 'watched')")
            }
            return try await eventually(timeout: .seconds(2)) {
                (try? String(contentsOf: output, encoding: .utf8))?.contains("message ") == true
            }
        }
        // As Ctrl-C would.
        kill(process.processIdentifier, SIGINT)
        try await ChildProcess.waitForExit(process, timeout: .seconds(30))
    }

    /// Waits until heraldd has taken every outbox row and nothing is between queue and final status,
    /// as README's "within a second" promises a reader who runs the next command.
    private static func settle(_ database: DatabaseQueue, after command: String) async throws {
        try await waitUntil("the queue to settle after `\(command)`") {
            try await database.read { db in
                try Int.fetchOne(db, sql: """
                    SELECT (SELECT COUNT(*) FROM outbox) + (SELECT COUNT(*) FROM message WHERE state IN ('queued', 'sending', 'sent'))
                    """) == 0
            }
        }
    }

    private static func minnesotaHour() -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Chicago")!
        return calendar.component(.hour, from: Date())
    }

    private static func read(_ url: URL) -> String {
        String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self)
    }

    private static func shell(_ line: String, in folder: URL) throws -> (status: Int32, out: String, err: String) {
        try SpawnedProcess.capture("/bin/sh", ["-c", line], in: folder)
    }
}
