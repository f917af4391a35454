import Foundation
import HeraldTestSupport
import Testing

/// A real SMTP server on loopback: aiosmtpd running Fixtures/smtp-sink.py, which binds a port the
/// system picks, reports it, and writes each mail it accepts to a folder. Debian's
/// python3-aiosmtpd provides it (`make test` installs it).
final class SMTPSink: @unchecked Sendable {
    /// One accepted mail, as the sink recorded and Python's email package decoded it.
    struct Mail: Decodable {
        var mail_from: String
        var rcpt_tos: [String]
        var auth: String?
        var headers: [String: String]
        /// The decoded text/plain body, line breaks as "\n".
        var text: String?

        var subject: String { headers["Subject"] ?? "" }
    }

    enum Failure: Error, CustomStringConvertible {
        case noAiosmtpd
        case didNotStart(folder: String, step: String)

        var description: String {
            switch self {
            case .noAiosmtpd:
                "no python3 with aiosmtpd: install Debian's python3-aiosmtpd (make test does) to run the SMTP tests"
            case .didNotStart(let folder, let step):
                "the SMTP sink did not \(step) within 30 s (folder \(folder))"
            }
        }
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/smtp-sink.py").path

    /// The port the sink bound, once `start` or `startClosed` returned.
    private(set) var port = 0
    let folder: URL
    private var process: SpawnedProcess?

    /// Nothing runs until `start` or `startClosed`.
    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// Starts listening on a port the system picks; `refuse` answers every RCPT with that SMTP reply,
    /// `auth` requires AUTH, `starttls` offers STARTTLS with that certificate and requires it.
    func start(
        refuse: String? = nil, auth: (user: String, password: String)? = nil, starttls: (cert: String, key: String)? = nil
    ) async throws {
        try await launch(closed: false, refuse: refuse, auth: auth, starttls: starttls)
        try await waitFor("ready", step: "start listening")
    }

    /// Binds a port and refuses connections on it, as a server that is down, until `open`: a test
    /// can give the daemon the port before anything listens there.
    func startClosed() async throws {
        try await launch(closed: true, refuse: nil, auth: nil, starttls: nil)
    }

    /// Starts listening on the port `startClosed` bound.
    func open() async throws {
        guard let process, process.isRunning else { throw Failure.didNotStart(folder: folder.path, step: "still run to be opened") }
        kill(process.processIdentifier, SIGUSR1)
        try await waitFor("ready", step: "start listening after SIGUSR1")
    }

    private func launch(
        closed: Bool, refuse: String?, auth: (user: String, password: String)?, starttls: (cert: String, key: String)?
    ) async throws {
        let python = try Self.python()
        for name in ["port", "ready"] { try? FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: python)
        var arguments = [Self.script, "--port", "0", "--folder", folder.path]
        if closed { arguments.append("--closed") }
        if let refuse { arguments += ["--refuse", refuse] }
        if let auth { arguments += ["--auth", "\(auth.user):\(auth.password)"] }
        if let starttls { arguments += ["--starttls", starttls.cert, starttls.key] }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        try await waitFor("port", step: "bind a port")
    }

    /// Waits for the sink to write `name` (the bound port) into its folder, or to die trying.
    private func waitFor(_ name: String, step: String) async throws {
        let file = folder.appendingPathComponent(name)
        let written = try await eventually(timeout: .seconds(30)) {
            FileManager.default.fileExists(atPath: file.path) || !(process?.isRunning ?? false)
        }
        guard written, let text = try? String(contentsOf: file, encoding: .utf8), let bound = Int(text) else {
            stop()
            throw Failure.didNotStart(folder: folder.path, step: step)
        }
        port = bound
    }

    /// Stops the server this sink started (only that process).
    func stop() {
        guard let process else { return }
        self.process = nil
        guard process.isRunning else { return }
        process.terminate()
        // Polled briefly rather than awaited: this runs in test teardown, on a cooperative thread.
        let deadline = Date() + 1
        while process.isRunning, Date() < deadline { usleep(10_000) }
        // A sink that ignores SIGTERM must not hang the test run.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Mails accepted so far, in the order they arrived.
    func mails() throws -> [Mail] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return try names.compactMap { name -> (Int, Mail)? in
            guard name.hasSuffix(".json"), let number = Int(name.dropLast(5)) else { return nil }
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            var mail = try JSONDecoder().decode(Mail.self, from: data)
            mail.text = mail.text?.replacingOccurrences(of: "\r\n", with: "\n")
            return (number, mail)
        }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The raw bytes of the `index`th mail (from 1), as they went over the wire.
    func raw(_ index: Int) throws -> String {
        try String(contentsOf: folder.appendingPathComponent("\(index).eml"), encoding: .utf8)
    }

    /// A self-signed certificate for 127.0.0.1, which is also its own CA file: (cert, key) paths.
    func makeCertificate() throws -> (cert: String, key: String) {
        let cert = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let openssl = SpawnedProcess()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0, "openssl req failed")
        return (cert, key)
    }

    /// Debian's own python3 first: a pyenv or venv python on PATH rarely has the Debian package.
    static func python() throws -> String {
        for candidate in ["/usr/bin/python3", "/usr/local/bin/python3"] where FileManager.default.isExecutableFile(atPath: candidate) {
            let probe = SpawnedProcess()
            probe.executableURL = URL(fileURLWithPath: candidate)
            probe.arguments = ["-c", "import aiosmtpd"]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            try probe.run()
            probe.waitUntilExit()
            if probe.terminationStatus == 0 { return candidate }
        }
        throw Failure.noAiosmtpd
    }
}
