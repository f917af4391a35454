import CarrierSimulator
import Foundation
import HeraldControl
import Testing

/// A real heraldd process: SIGHUP reload as systemd drives it, and SO_PEERCRED access checks
/// through the real heraldctl binary run as another user.
@Suite("Reload and admin access", .serialized)
struct ReloadAndAccessTests {
    static var heraldctlPath: String {
        URL(fileURLWithPath: CrashRecoveryTests.heralddPath).deletingLastPathComponent().appendingPathComponent("heraldctl").path
    }

    static let betaOrg = """

        [[orgs]]
        id = "beta"
        name = "Beta"
        timezone = "America/New_York"
        window_start = "00:00"
        window_end = "23:59"
        [[orgs.users]]
        id = "carol"
        name = "Carol"
        number = "+16125550177"
        number_type = "long_code"
        rate = 100.0
        """

    private func connect(_ path: String, log: URL) async throws -> AdminClient {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let client = try? await AdminClient.open(path) { return client }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no admin socket at \(path); log:\n\(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))")
        throw CancellationError()
    }

    @Test("SIGHUP: RELOADING=1 with MONOTONIC_USEC, a new org takes effect, a bad file keeps the running configuration")
    func reload() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CrashRecoveryTests.heralddPath))
        let directory = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let listener = try SystemdNotifyTests.NotifyListener(path: directory.appendingPathComponent("notify").path)
        try await CarrierSimulator.withRunning(SimulatorConfiguration(callbackDelay: .milliseconds(20))) { simulator in
            let (configPath, _, log) = try CrashRecoveryTests.writeFiles(in: directory, simulator: simulator)
            let original = try String(contentsOfFile: configPath, encoding: .utf8)
            let process = try CrashRecoveryTests.startHeraldd(config: configPath, log: log, environment: ["NOTIFY_SOCKET": listener.path])
            defer { ChildProcess.terminate(process) }
            let started = listener.receive(until: { $0.contains("READY=1") }, deadline: ContinuousClock.now + .seconds(30))
            try #require(started.contains("READY=1"), "\(started)")
            let socket = directory.appendingPathComponent("admin.sock").path
            let beta = SendRequest(org: "beta", from: "carol", to: "+16125550123", text: "after reload")
            do {
                _ = try await connect(socket, log: log).call(Admin.send(beta))
                Issue.record("org beta accepted before it was configured")
            } catch let error as AdminError {
                #expect(error.code == .notFound)
            }

            try (original + Self.betaOrg).write(toFile: configPath, atomically: true, encoding: .utf8)
            kill(process.processIdentifier, SIGHUP)
            let reloaded = listener.receive(until: { $0.contains("READY=1") }, deadline: ContinuousClock.now + .seconds(30))
            let reloading = try #require(reloaded.first { $0.hasPrefix("RELOADING=1") }, "\(reloaded)")
            let monotonic = reloading.split(separator: "\n").first { $0.hasPrefix("MONOTONIC_USEC=") }
            #expect(monotonic.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) } ?? 0 > 0, "\(reloading)")
            #expect(reloaded.contains("READY=1"), "READY=1 ends the reload: \(reloaded)")
            // Conversational texts need consent, kept per organization: recorded as staff would.
            _ = try await connect(socket, log: log).call(Admin.consentSet(ConsentSetRequest(
                org: "beta", number: beta.to, state: "opted_in", type: "api", by: "reload-test")))
            let sent = try await connect(socket, log: log).call(Admin.send(beta))
            let client = try await connect(socket, log: log)
            let deadline = ContinuousClock.now + .seconds(30)
            var state = ""
            while ContinuousClock.now < deadline, state != "delivered" {
                // Not found until the ingester has taken the outbox row in.
                state = (try? await client.call(Admin.show(MessageRef(sent.id))).message.state.rawValue) ?? ""

                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(state == "delivered")

            try (original + Self.betaOrg + "\n[carrier]\nbase_url = 5\n").write(toFile: configPath, atomically: true, encoding: .utf8)
            kill(process.processIdentifier, SIGHUP)
            let refused = listener.receive(until: { $0.contains("READY=1") }, deadline: ContinuousClock.now + .seconds(30))
            #expect(refused.contains { $0.hasPrefix("RELOADING=1") } && refused.contains("READY=1"), "\(refused)")
            #expect(process.isRunning, "a bad file on reload never stops the daemon")
            let kept = try await connect(socket, log: log).call(Admin.send(beta))
            #expect(kept.id > sent.id, "the running configuration (with org beta) stays")
            let output = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
            #expect(output.contains("configuration reload failed"), "\(output)")

            process.terminate()
            try await ChildProcess.waitForExit(process)
            #expect(process.terminationStatus == 0)
        }
    }

    private func runHeraldctl(_ arguments: [String], asNobody: Bool) async throws -> (status: Int32, out: String, err: String) {
        try await offPool { try Self.runHeraldctlBlocking(arguments, asNobody: asNobody) }
    }

    static func runHeraldctlBlocking(_ arguments: [String], asNobody: Bool) throws -> (status: Int32, out: String, err: String) {
        var environment = ProcessInfo.processInfo.environment
        // Help text wraps at the terminal's width; the golden copy is 80 columns wide.
        environment["COLUMNS"] = "80"
        if asNobody {
            return try SpawnedProcess.capture("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", Self.heraldctlPath] + arguments,
                                              environment: environment)
        }
        return try SpawnedProcess.capture(Self.heraldctlPath, arguments, environment: environment)
    }

    @Test("another user may read but not change; heraldctl exits 77 and says what would grant it",
          .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root to run heraldctl as nobody through setpriv"))
    func readOnlyPeer() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.heraldctlPath))
        try await DaemonHarness.withDaemon { harness in
            let id = try harness.insert([OutboxRow(to: "+16125550123", body: "x", sendAt: "2099-01-01T00:00:00Z")])[0]
            #expect(try await harness.eventually { try harness.state(of: id) == "scheduled" })
            // Stands in for membership of group herald: nobody may open the socket, no more.
            chmod(harness.directory.path, 0o755)
            chmod(harness.adminSocket, 0o666)
            let status = try await runHeraldctl(["status", "--json", "--socket", harness.adminSocket], asNobody: true)
            #expect(status.status == 0, "\(status.err)")
            #expect(status.out.contains("\"scheduled\":1"))
            let cancel = try await runHeraldctl(["cancel", "\(id)", "--socket", harness.adminSocket], asNobody: true)
            #expect(cancel.status == 77)
            #expect(cancel.err.contains("nobody (uid 65534) may only read"), "\(cancel.err)")
            #expect(try harness.state(of: id) == "scheduled")
            let own = try await runHeraldctl(["cancel", "\(id)", "--socket", harness.adminSocket], asNobody: false)
            #expect(own.status == 0, "\(own.err)")
            #expect(try harness.state(of: id) == "canceled")
            let missing = try await runHeraldctl(["show", "424242", "--socket", harness.adminSocket], asNobody: false)
            #expect(missing.status == 1 && missing.err.contains("no message with id 424242"))
            let down = try await runHeraldctl(["status", "--socket", harness.directory.appendingPathComponent("nothing.sock").path], asNobody: false)
            #expect(down.status == 69 && down.err.contains("cannot connect"))
        }
    }

    @Test("heraldctl --help matches the golden copy")
    func helpIsGolden() async throws {
        let help = try await runHeraldctl(["--help"], asNobody: false)
        #expect(help.status == 0)
        let golden = try String(contentsOf: #require(Bundle.module.url(forResource: "heraldctl-help", withExtension: "txt", subdirectory: "Fixtures")), encoding: .utf8)
        #expect(help.out == golden, "regenerate with: .build/debug/heraldctl --help > Tests/HeraldDaemonTests/Fixtures/heraldctl-help.txt")
    }
}
