import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL cluster for this test process: `initdb` in a temporary folder, then
/// `pg_ctl start` listening only on a Unix socket in that folder (`listen_addresses = ''`): no
/// system service, no port anyone else could take. Started once, on first use, and shared by
/// every suite; each test gets a database of its own (``PostgresTestDatabases``).
///
/// initdb refuses to run as root, and CI runs `make test` as root: then the cluster belongs to
/// `nobody` (`runuser -u nobody`), the folder is handed to it, and the tests, as root, still
/// reach the socket. Authentication is `trust`: only this folder's socket listens.
///
/// A watchdog shell, started in a session of its own, stops the cluster and removes the folder
/// once this process is gone, however it ended (a crash or a SIGKILL included).
public final class PostgresCluster: Sendable {
    /// The folder holding the data directory, the server log and the socket.
    public let folder: String
    /// The database role the tests connect as (made by initdb, a superuser).
    public let user = "herald"
    /// The port only names the socket file: nothing listens on TCP.
    public let port = 5432

    /// Where `PostgresClient`'s Unix-socket configuration connects.
    public var socketPath: String { "\(folder)/.s.PGSQL.\(port)" }
    /// The same socket as a `postgresql://` URL, whose host is the socket's folder.
    public var url: String { "postgresql://\(user)@\(folder.replacingOccurrences(of: "/", with: "%2F")):\(port)/" }

    private let pgctl: String
    private let asRoot: Bool

    private init(folder: String, pgctl: String, asRoot: Bool) {
        self.folder = folder
        self.pgctl = pgctl
        self.asRoot = asRoot
    }

    private static let started = Mutex<Result<PostgresCluster, PostgresClusterError>?>(nil)

    /// The process's cluster, started by the first caller.
    public static func shared() throws(PostgresClusterError) -> PostgresCluster {
        let result = started.withLock { started in
            if let started { return started }
            let result = Result { () throws(PostgresClusterError) in try start() }
            started = result
            return result
        }
        return try result.get()
    }

    /// A cluster of the caller's own, for a test that stops and starts the server: the shared one
    /// serves other tests meanwhile. Stopped and removed with this process, as the shared one is.
    public static func dedicated() throws(PostgresClusterError) -> PostgresCluster {
        try start()
    }

    /// Stops the server (`pg_ctl stop -m fast`: connections are cut, as a failover cuts them).
    public func stopServer() throws(PostgresClusterError) {
        try Self.run(pgctl, ["-D", "\(folder)/data", "-m", "fast", "-w", "stop"], asRoot: asRoot, output: "\(folder)/pg_ctl-stop.out")
    }

    /// Starts the stopped server again, on the same socket and data. A failure carries the end of
    /// the server's log: pg_ctl itself only says "could not start server".
    public func startServer() throws(PostgresClusterError) {
        do {
            try Self.run(pgctl, ["-D", "\(folder)/data", "-l", "\(folder)/server.log", "-w", "-t", "120", "start"], asRoot: asRoot,
                         output: "\(folder)/pg_ctl-start.out")
        } catch let .cannotStart(step, output) {
            let log = (try? String(contentsOfFile: "\(folder)/server.log", encoding: .utf8)) ?? ""
            throw .cannotStart(step: step, output: output + "\nserver.log ends:\n" + log.suffix(2_000))
        } catch {
            throw error
        }
    }

    private static func start() throws(PostgresClusterError) -> PostgresCluster {
        let bin = try binaries()
        let asRoot = getuid() == 0
        // Short: a Unix socket's path may not exceed 107 bytes.
        var template = Array("/tmp/herald-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw .cannotStart(step: "mkdtemp /tmp/herald-pg-XXXXXX", output: String(cString: strerror(errno)))
        }
        let folder = String(cString: made)
        if asRoot {
            guard chown(folder, nobodyID, nobodyID) == 0 else {
                throw .cannotStart(step: "chown \(folder) to nobody", output: String(cString: strerror(errno)))
            }
        }
        let data = "\(folder)/data"
        try run(bin + "/initdb", ["-D", data, "-U", "herald", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"], asRoot: asRoot,
                output: "\(folder)/initdb.out")
        // Only the socket; durability is not what these tests are about, speed on 2 cores is.
        let settings = """

            listen_addresses = ''
            unix_socket_directories = '\(folder)'
            port = 5432
            max_connections = 400
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            shared_buffers = 32MB
            log_min_messages = warning

            """
        guard let handle = FileHandle(forWritingAtPath: "\(data)/postgresql.conf") else {
            throw .cannotStart(step: "open \(data)/postgresql.conf", output: "")
        }
        handle.seekToEndOfFile()
        handle.write(Data(settings.utf8))
        try? handle.close()
        try run(bin + "/pg_ctl", ["-D", data, "-l", "\(folder)/server.log", "-w", "-t", "120", "start"], asRoot: asRoot,
                output: "\(folder)/pg_ctl.out")
        try watch(folder: folder, pgctl: bin + "/pg_ctl", asRoot: asRoot)
        return PostgresCluster(folder: folder, pgctl: bin + "/pg_ctl", asRoot: asRoot)
    }

    private static let nobodyID: UInt32 = 65534

    /// Debian's server binaries: `/usr/lib/postgresql/<major>/bin`, the newest major installed.
    private static func binaries() throws(PostgresClusterError) -> String {
        if let given = ProcessInfo.processInfo.environment["HERALD_PG_BIN"] { return given }
        let root = "/usr/lib/postgresql"
        let majors = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted()
        for major in majors.reversed() where FileManager.default.isExecutableFile(atPath: "\(root)/\(major)/bin/initdb") {
            return "\(root)/\(major)/bin"
        }
        throw .binariesMissing(searched: root)
    }

    /// Runs a tool to its end. Not Foundation's `Process`: it learns that a child ended through a
    /// descriptor the child inherits, and the server pg_ctl starts inherits it too and keeps it
    /// open, so `waitUntilExit` would wait for the server to stop (and its `run()` crashes in a
    /// process holding many descriptors, see HeraldDaemonTests' SpawnedProcess). The output goes to
    /// a file for the same reason a pipe would never reach its end.
    private static func run(_ tool: String, _ arguments: [String], asRoot: Bool, output path: String) throws(PostgresClusterError) {
        // env -C /: not the test's own folder, which nobody may not be able to enter.
        let argv = ["/usr/bin/env", "-C", "/"] + (asRoot ? ["/usr/sbin/runuser", "-u", "nobody", "--"] : []) + [tool] + arguments
        let step = ([tool] + arguments).joined(separator: " ")
        let pid = try spawn(argv, output: path, step: step)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw .cannotStart(step: step, output: String(cString: strerror(errno))) }
        }
        // Exited normally with status 0: WIFEXITED and WEXITSTATUS, which Swift cannot import.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw .cannotStart(step: step, output: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "exit status \(status)")
        }
    }

    /// posix_spawn with stdin from /dev/null and stdout and stderr to `output`.
    private static func spawn(_ argv: [String], output: String, step: String, newSession: Bool = false) throws(PostgresClusterError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Else the server inherits the test process's descriptors, and PostgreSQL counts them
        // against max_files_per_process: restarted mid-suite it refused to start ("insufficient
        // file descriptors available to start server process. System allows 32, we need at least 58").
        let closing = SpawnFileActions.addCloseFrom(&actions, 3)
        guard closing == 0 else { throw .cannotStart(step: step, output: "posix_spawn_file_actions_addclosefrom_np: \(String(cString: strerror(closing)))") }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (0x80 in glibc), which Swift does not import.
        if newSession { posix_spawnattr_setflags(&attributes, 0x80) }
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, environ)
        guard spawned == 0 else { throw .cannotStart(step: step, output: String(cString: strerror(spawned))) }
        return pid
    }

    /// Stops the cluster and removes its folder once this process has gone, polling once a second.
    /// In a session of its own: a Ctrl-C to the test run's process group does not kill it first.
    private static func watch(folder: String, pgctl: String, asRoot: Bool) throws(PostgresClusterError) {
        let stop = (asRoot ? "/usr/sbin/runuser -u nobody -- " : "") + "\(pgctl) -D \(folder)/data -m immediate stop"
        let script = "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(stop) >/dev/null 2>&1; rm -rf \(folder)"
        // Reaped by nobody while the tests run: it outlives this process by design.
        _ = try spawn(["/bin/sh", "-c", script], output: "/dev/null", step: "/bin/sh -c \(script)", newSession: true)
    }
}

/// Why the private cluster could not start, with what to do about it.
public enum PostgresClusterError: Error, CustomStringConvertible {
    case binariesMissing(searched: String)
    case cannotStart(step: String, output: String)

    public var description: String {
        switch self {
        case let .binariesMissing(searched):
            "no PostgreSQL server binaries (initdb, pg_ctl) under \(searched)/<version>/bin: install Debian's postgresql package (make test does), or set HERALD_PG_BIN to the folder holding them"
        case let .cannotStart(step, output):
            "cannot start the tests' private PostgreSQL cluster: `\(step)` failed: \(output)"
        }
    }
}
