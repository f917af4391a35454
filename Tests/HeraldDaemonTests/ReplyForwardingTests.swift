import Foundation
import GRDB
import HeraldCore
import HeraldTestSupport
import Testing

/// Replies forwarded by email, end to end: replies come in through the carrier simulator's signed
/// webhook, heraldd mails them with libcurl, and a real SMTP server (aiosmtpd) on loopback takes them.
@Suite("Replies forwarded by email", .serialized)
struct ReplyForwardingTests {
    static let dana = "+16125550600"
    static let eve = "+16125550601"
    static let friend = "+16125550611"
    static let stranger = "+16125550612"

    /// An org whose user Dana forwards her replies and Eve does not, and the `[email]` section.
    static func config(
        smtpPort: Int, tls: String = "none", maxAttempts: Int = 3, connectTimeout: Double = 1, timeout: Double = 5, email: String = ""
    ) -> String {
        """
        [[orgs]]
        id = "mailers"
        name = "Mailers"
        timezone = "America/Chicago"
        window_start = "00:00"
        window_end = "23:59"
        [[orgs.users]]
        id = "dana"
        name = "Dana"
        number = "\(dana)"
        rate = 100.0
        email = "dana@example.com"
        forward_replies = true
        [[orgs.users]]
        id = "eve"
        name = "Eve"
        number = "\(eve)"
        rate = 100.0
        email = "eve@example.com"
        [email]
        host = "127.0.0.1"
        port = \(smtpPort)
        tls = "\(tls)"
        from = "herald@example.com"
        connect_timeout = \(connectTimeout)
        timeout = \(timeout)
        min_backoff = 0.2
        max_backoff = 0.5
        max_attempts = \(maxAttempts)
        \(email)
        """
    }

    static func sink() throws -> SMTPSink {
        try SMTPSink()
    }

    static func reply(_ harness: DaemonHarness, from: String = friend, to: String = dana, _ body: String) async throws {
        let delivery = try await harness.simulator.injectInbound(from: from, to: to, body: body)
        #expect(delivery.status == 200)
    }

    static func forwards(_ harness: DaemonHarness) throws -> [(state: String, attempts: Int, error: String?, to: String)] {
        try harness.producer.read { db in
            try Row.fetchAll(db, sql: "SELECT state, attempts, last_error, to_address FROM reply_forwards ORDER BY id").map {
                ($0["state"], $0["attempts"], $0["last_error"], $0["to_address"])
            }
        }
    }

    static func addContact(_ harness: DaemonHarness, first: String, last: String, number: String) throws {
        try harness.producer.write { db in
            try db.execute(sql: "INSERT INTO contact (org_id, first_name, last_name, created_at, updated_at) VALUES ('mailers', ?, ?, 0, 0)",
                           arguments: [first, last])
            try db.execute(sql: "INSERT INTO contact_number (org_id, number, contact_id, preferred_sms) VALUES ('mailers', ?, ?, 1)",
                           arguments: [number, db.lastInsertedRowID])
        }
    }

    static func inboundCount(_ harness: DaemonHarness, to number: String) throws -> Int {
        try harness.producer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inbound_messages WHERE to_number = ?", arguments: [number]) ?? 0
        }
    }

    @Test("a reply arrives as an email with the contact, number and text; a user who does not forward gets none")
    func forwarded() async throws {
        let sink = try Self.sink()
        defer { sink.stop() }
        try await sink.start()
        try await DaemonHarness.withDaemon(extraConfig: Self.config(smtpPort: sink.port)) { harness in
            try Self.addContact(harness, first: "José", last: "Núñez", number: Self.friend)
            try await Self.reply(harness, to: Self.eve, "For Eve only")
            try await Self.reply(harness, "Can we move it to 3pm? 😀")
            try await Self.reply(harness, from: Self.stranger, "STOP")
            #expect(try await harness.eventually { try sink.mails().count == 2 })
            let mails = try sink.mails()
            let named = try #require(mails.first)
            #expect(named.mail_from == "herald@example.com")
            #expect(named.rcpt_tos == ["dana@example.com"])
            #expect(named.subject == "SMS reply from José Núñez (+16125550611) to your number +16125550600")
            let text = try #require(named.text)
            #expect(text.contains("Can we move it to 3pm? 😀"))
            #expect(text.contains("From:     José Núñez (+16125550611)"))
            #expect(text.contains("To:       +16125550600 (Dana, Mailers)"))
            #expect(text.contains("Received: "))
            #expect(named.headers["From"] == "Herald <herald@example.com>")
            #expect(named.headers["Message-ID"]?.hasPrefix("<herald.reply.") == true)
            #expect(named.headers["Date"] != nil)
            let stop = mails[1]
            #expect(stop.subject == "SMS reply from +16125550612 to your number +16125550600")
            #expect(stop.text?.contains("STOP") == true)
            #expect(stop.text?.contains("Keyword:  opt_out") == true)
            #expect(try sink.raw(1).components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
            // Eve's reply was stored like the others, and queued no mail.
            #expect(try Self.inboundCount(harness, to: Self.eve) == 1)
            #expect(try await harness.eventually { try Self.forwards(harness).allSatisfy { $0.state == "sent" } })
            #expect(try Self.forwards(harness).map(\.to) == ["dana@example.com", "dana@example.com"])
            #expect(try Self.forwards(harness).map(\.attempts) == [1, 1])
        }
    }

    @Test("an SMTP server that is down at first: the forward is retried and delivered once it is up")
    func retriedUntilUp() async throws {
        let sink = try Self.sink()
        defer { sink.stop() }
        try await sink.startClosed()
        try await DaemonHarness.withDaemon(extraConfig: Self.config(smtpPort: sink.port, maxAttempts: 100)) { harness in
            try await Self.reply(harness, "Are you there?")
            #expect(try await harness.eventually { try Self.forwards(harness).first.map { $0.attempts >= 2 } ?? false })
            let waiting = try #require(try Self.forwards(harness).first)
            #expect(waiting.state == "pending")
            #expect(waiting.error?.contains("127.0.0.1") == true, "\(waiting.error ?? "")")
            try await sink.open()
            #expect(try await harness.eventually { try sink.mails().count == 1 })
            #expect(try sink.mails().first?.text?.contains("Are you there?") == true)
            #expect(try await harness.eventually { try Self.forwards(harness).first?.state == "sent" })
        }
    }

    @Test("a forward still pending at shutdown is sent by the next run: the queue is in the database, not in memory")
    func survivesRestart() async throws {
        let sink = try Self.sink()
        defer { sink.stop() }
        try await sink.startClosed()
        let folder = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = Self.config(smtpPort: sink.port, maxAttempts: 100)
        try await DaemonHarness.withDaemon(extraConfig: config, reusing: folder) { harness in
            try await Self.reply(harness, "Before the restart")
            #expect(try await harness.eventually { try Self.forwards(harness).first.map { $0.attempts >= 1 } ?? false })
        }
        try await sink.open()
        try await DaemonHarness.withDaemon(extraConfig: config, reusing: folder) { harness async throws in
            #expect(try await harness.eventually { try sink.mails().count == 1 })
            #expect(try sink.mails().first?.text?.contains("Before the restart") == true)
            #expect(try await harness.eventually { try Self.forwards(harness).first?.state == "sent" })
        }
    }

    @Test("an SMTP server that refuses: failed with its answer after max_attempts, while texts keep going out")
    func refusedThenFailed() async throws {
        let sink = try Self.sink()
        defer { sink.stop() }
        try await sink.start(refuse: "550 5.7.1 Relaying denied")
        try await DaemonHarness.withDaemon(extraConfig: Self.config(smtpPort: sink.port)) { harness in
            try await Self.reply(harness, "Hello?")
            let ids = try harness.insert((0..<20).map { OutboxRow(to: "+1612555\(String(format: "%04d", 700 + $0))", body: "text \($0)") })
            #expect(try await harness.eventually { try Self.forwards(harness).first?.state == "failed" })
            let failed = try #require(try Self.forwards(harness).first)
            #expect(failed.attempts == 3)
            #expect(failed.error?.contains("550") == true, "\(failed.error ?? "")")
            #expect(try sink.mails().isEmpty)
            #expect(try await harness.eventually {
                try ids.allSatisfy { ["sent", "delivered"].contains(try harness.state(of: $0) ?? "") }
            })
        }
    }

    @Test("an SMTP server that never answers delays neither texts nor storing replies, nor shutdown")
    func silentServer() async throws {
        let listener = try SilentListener()
        var stopping = ContinuousClock.now
        try await DaemonHarness.withDaemon(extraConfig: Self.config(smtpPort: listener.port, connectTimeout: 60, timeout: 60)) { harness in
            try await Self.reply(harness, "first")
            try await waitUntil("the forwarder connecting to the silent server") { listener.hasWaitingClient }
            let started = ContinuousClock.now
            let ids = try harness.insert((0..<20).map { OutboxRow(to: "+1612555\(String(format: "%04d", 800 + $0))", body: "text \($0)") })
            try await Self.reply(harness, "second")
            #expect(try await harness.eventually(timeout: .seconds(20)) {
                try ids.allSatisfy { ["sent", "delivered"].contains(try harness.state(of: $0) ?? "") }
            })
            #expect(ContinuousClock.now - started < .seconds(20))
            let forwards = try Self.forwards(harness)
            #expect(forwards.count == 2, "the second reply was stored and queued while the first mail hangs")
            #expect(forwards.allSatisfy { $0.state == "pending" && $0.attempts == 0 })
            stopping = ContinuousClock.now
        }
        // The hanging conversation is aborted at shutdown, not waited out for its 60 s timeout.
        #expect(ContinuousClock.now - stopping < .seconds(10))
    }

    @Test("AUTH with the password from its file")
    func authenticated() async throws {
        let sink = try Self.sink()
        defer { sink.stop() }
        try await sink.start(auth: ("herald", "correct horse"))
        let folder = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let passwordFile = folder.appendingPathComponent("smtp-password").path
        try "correct horse\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let email = "username = \"herald\"\npassword_file = \"\(passwordFile)\""
        try await DaemonHarness.withDaemon(extraConfig: Self.config(smtpPort: sink.port, email: email)) { harness in
            try await Self.reply(harness, "With credentials")
            #expect(try await harness.eventually { try sink.mails().count == 1 })
            #expect(try sink.mails().first?.auth == "herald")
        }
    }

    @Test("STARTTLS: the mail goes over TLS to a server verified with ca_file")
    func starttls() async throws {
        let sink = try Self.sink()
        defer { sink.stop() }
        let certificate = try sink.makeCertificate()
        try await sink.start(starttls: certificate)
        let email = "ca_file = \"\(certificate.cert)\""
        try await DaemonHarness.withDaemon(extraConfig: Self.config(smtpPort: sink.port, tls: "starttls", email: email)) { harness in
            try await Self.reply(harness, "Over TLS")
            #expect(try await harness.eventually { try sink.mails().count == 1 })
            #expect(try sink.mails().first?.text?.contains("Over TLS") == true)
        }
    }

    @Test("STARTTLS required: a server that does not offer it gets no mail in the clear, and the forward fails saying so")
    func starttlsRequired() async throws {
        let sink = try Self.sink()
        defer { sink.stop() }
        try await sink.start()
        try await DaemonHarness.withDaemon(extraConfig: Self.config(smtpPort: sink.port, tls: "starttls")) { harness in
            try await Self.reply(harness, "Not in the clear")
            #expect(try await harness.eventually { try Self.forwards(harness).first?.state == "failed" })
            let failed = try #require(try Self.forwards(harness).first)
            #expect(failed.error?.contains("STARTTLS") == true, "\(failed.error ?? "")")
            #expect(try sink.mails().isEmpty)
        }
    }

    @Test("without [email], a user asking for forwarding gets nothing queued and replies are stored as ever")
    func forwardingOff() async throws {
        let text = Self.config(smtpPort: 1).components(separatedBy: "[email]")[0]
        try await DaemonHarness.withDaemon(extraConfig: text) { harness in
            #expect(harness.configuration.warnings.count == 1)
            try await Self.reply(harness, "Nobody mails this")
            #expect(try Self.inboundCount(harness, to: Self.dana) == 1)
            #expect(try Self.forwards(harness).isEmpty)
        }
    }
}

/// A TCP port that accepts connections (the kernel completes the handshake) and never says a
/// word: an SMTP server hung before its greeting.
final class SilentListener: @unchecked Sendable {
    let port: Int
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether a client has connected: it waits, never accepted, for a greeting that never comes.
    var hasWaitingClient: Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }

    deinit { close(fd) }
}
