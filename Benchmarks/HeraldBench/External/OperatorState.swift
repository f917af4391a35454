import Foundation

/// One heraldd installation in a temp folder, laid out as an operator would: a TOML config with
/// paths relative to it, the SQLite queue, the admin socket, the carrier token in a file.
/// Nothing outside the folder is written, every listener binds loopback on a port the kernel picks.
struct OperatorState {
    let folder: URL
    let heraldd: String
    let heraldctl: String
    let workload: Workload
    /// The `[database]` section (and `[instance]`, on a shared queue); the SQLite file by default.
    var queue = "[database]\npath = \"herald.db\"\n"

    var configPath: String { folder.appendingPathComponent("herald.toml").path }
    var databasePath: String { folder.appendingPathComponent("herald.db").path }
    var socketPath: String { folder.appendingPathComponent("admin.sock").path }
    var logPath: String { folder.appendingPathComponent("heraldd.log").path }

    static func make(name: String, heraldd: String, heraldctl: String, workload: Workload, queue: String? = nil) throws -> OperatorState {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        let folder = URL(fileURLWithPath: base).appendingPathComponent("herald-bench-external-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var state = OperatorState(folder: folder, heraldd: heraldd, heraldctl: heraldctl, workload: workload)
        if let queue { state.queue = queue }
        try BenchSettings.authToken.write(to: folder.appendingPathComponent("carrier-token"), atomically: true, encoding: .utf8)
        try state.configuration().write(toFile: state.configPath, atomically: true, encoding: .utf8)
        return state
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Only what differs from the shipped defaults (etc/herald/herald.toml) is set: durability,
    /// batching, retries and reconciliation stay as operators get them.
    func configuration() -> String {
        return """
        # herald-bench external: heraldd as an operator runs it, against a canned-201 nginx.
        \(queue)

        [admin]
        socket = "admin.sock"

        # Port 0: the kernel picks a free loopback port, so runs never collide.
        [webhooks]
        listen = "127.0.0.1:0"
        public_url = "http://127.0.0.1:0"

        [metrics]
        listen = "127.0.0.1:0"

        [carrier]
        base_url = "\(workload.carrierURL)"
        account_sid = "\(BenchSettings.accountSID)"
        auth_token_file = "carrier-token"
        max_in_flight = \(workload.inFlight)

        [log]
        level = "warning"

        """ + BenchSettings.organizationTOML(senders: workload.senders)
    }

    /// Records each recipient's opt-in the supported way, through the admin socket (as README's
    /// quick tour does): one ledger row each, type `api`, by a named staff user.
    func recordConsent() async throws {
        for number in workload.recipientNumbers {
            let answer = try await ToolRun.run(heraldctl, [
                "--socket", socketPath, "consent", "set", number, "--org", BenchSettings.org,
                "--state", "opted_in", "--type", "api", "--by", "herald-bench",
            ], scratch: folder)
            guard answer.status == 0 else { throw BenchFailure("heraldctl consent set \(number) exited \(answer.status): \(answer.output)") }
        }
    }
}
