import Foundation
import HeraldConfig
import HeraldDaemon
import HeraldTestSupport
import Logging
import Testing

/// `[database] backend = "postgresql"` as `heraldd --check-config` meets it: it reaches the server,
/// or says it cannot.
@Suite("heraldd and a PostgreSQL queue")
struct PostgresBackendCheckTests {
    static func toml(url: String, extra: String = "") -> String {
        """
        [database]
        backend = "postgresql"
        url = "\(url)"
        \(extra)
        [carrier]
        account_sid = "ACtest"
        auth_token_file = "/dev/null"

        """
    }

    private func check(_ text: String) throws -> (status: Int32, out: String, err: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-pgcheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("herald.toml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return try SpawnedProcess.capture(CrashRecoveryTests.heralddPath, ["--check-config", file.path], environment: [:])
    }

    @Test("--check-config reaches the server and prints its version; a server nobody runs is exit 1 naming it; an unreadable password is 78")
    func checkConfigReachesTheServer() async throws {
        let name = try await PostgresTestDatabases.create()
        defer { PostgresTestDatabases.release(name) }
        let cluster = try PostgresCluster.shared()
        let reachable = try check(Self.toml(url: cluster.url + name))
        #expect(reachable.status == 0, "\(reachable.err)")
        #expect(reachable.out.contains("answers: PostgreSQL 15"), "\(reachable.out)")

        let nowhere = "/tmp/herald-no-server-\(getpid())"
        let unreachable = try check(Self.toml(url: "postgresql://herald@\(nowhere.replacingOccurrences(of: "/", with: "%2F"))/herald"))
        #expect(unreachable.status == 1)
        #expect(unreachable.err.contains("cannot reach the PostgreSQL queue at postgresql://herald@%2Ftmp%2Fherald-no-server-"), "\(unreachable.err)")

        let noPassword = try check(Self.toml(url: cluster.url + name, extra: "password_file = \"/nonexistent/db-password\""))
        #expect(noPassword.status == 78)
        #expect(noPassword.err.contains("database.password_file: cannot use the PostgreSQL password from /nonexistent/db-password"), "\(noPassword.err)")
    }
}
