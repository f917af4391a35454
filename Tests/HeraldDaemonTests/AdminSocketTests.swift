import CarrierSimulator
import Foundation
import GRDB
import HeraldControl
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// The admin socket end to end: a real daemon, a real Unix socket, heraldctl's own client.
@Suite("Admin socket", .serialized)
struct AdminSocketTests {
    private static let ok = "+16125550123"

    private func client(_ harness: DaemonHarness) async throws -> AdminClient {
        try await AdminClient.open(harness.adminSocket)
    }

    @Test("hello names the protocol, the peer (SO_PEERCRED) and its access")
    func hello() async throws {
        try await DaemonHarness.withDaemon { harness in
            let client = try await client(harness)
            #expect(client.hello.hello == "heraldd")
            #expect(client.hello.protocol == AdminProtocol.version)
            #expect(client.hello.peer.pid == getpid())
            #expect(client.hello.peer.uid == getuid())
            #expect(client.hello.access == .change, "the daemon's own uid may change things")
            let mode = try FileManager.default.attributesOfItem(atPath: harness.adminSocket)[.posixPermissions] as? Int
            #expect(mode == 0o660)
        }
    }

    @Test("status, queue, show and why answer from the queue database")
    func readCommands() async throws {
        try await DaemonHarness.withDaemon { harness in
            let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            let ids = try harness.insert([
                OutboxRow(to: Self.ok, body: "now"),
                OutboxRow(to: "+16125550124", body: "later", sendAt: later),
            ])
            #expect(try await harness.eventually { try harness.state(of: ids[0]) == "delivered" && harness.state(of: ids[1]) == "scheduled" })
            let client = try await client(harness)

            let status = try await client.call(Admin.status())
            #expect(status.queue["scheduled"] == 1)
            #expect(status.queue["queued"] == 0)
            #expect(status.queue.count == MessageState.allCases.filter { !$0.isFinal }.count, "live states only: \(status.queue)")
            #expect(status.sentPerSecond > 0, "one message sent within the last minute")
            #expect(status.database == harness.configuration.database.path)

            let scheduled = try await client.call(Admin.queue(QueueFilter(state: .scheduled)))
            #expect(scheduled.map(\.id) == [ids[1]])
            let all = try await client.call(Admin.queue(QueueFilter(org: DaemonHarness.org, limit: 10)))
            #expect(all.map(\.id) == [ids[1], ids[0]], "newest first")
            let toOne = try await client.call(Admin.queue(QueueFilter(to: Self.ok)))
            #expect(toOne.map(\.id) == [ids[0]])

            let detail = try await client.call(Admin.show(MessageRef(ids[0])))
            #expect(detail.body == "now")
            #expect(detail.message.carrierSid != nil)
            #expect(detail.events.map(\.to) == [.queued, .sending, .sent, .delivered])
            #expect(detail.events.allSatisfy { $0.messageID == ids[0] })

            let why = try await client.call(Admin.why(MessageRef(ids[1])))
            #expect(why.state == .scheduled)
            #expect(why.heldReason == .sendAt)
            #expect(why.mayGoAt != nil)
            #expect(why.explanation.contains("send_at"))
            let done = try await client.call(Admin.why(MessageRef(ids[0])))
            #expect(done.mayGoAt == nil)
            #expect(done.explanation.hasPrefix("final: delivered"))

            await #expect(throws: AdminError.self) { try await client.call(Admin.show(MessageRef(999_999))) }
            // heraldctl cannot send an unknown state (typed), but any client can write the line.
            try await offPool { try client.send(Array((#"{"id":5,"command":"queue","params":{"state":"lost"}}"# + "\n").utf8)) }
            let refused = try AdminJSON.decoder().decode(AdminResponse<[MessageSummary]>.self, from: Data(try await client.readLine(within: .seconds(30))))
            #expect(refused.error?.code == .badRequest)
            #expect(refused.error?.message.contains("\"lost\"") == true && refused.error?.message.contains("awaiting_consent") == true,
                    "\(String(describing: refused.error))")
        }
    }

    @Test("retry sends a failed message again with a fresh key; cancel stops only what Herald still holds")
    func retryAndCancel() async throws {
        try await DaemonHarness.withDaemon { harness in
            let bad = "+16125550666"
            harness.simulator.setError(for: bad, CarrierErrorReply(status: 400, code: 21211, message: "Invalid 'To' Phone Number"))
            let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            let ids = try harness.insert([
                OutboxRow(to: bad, body: "fails first"),
                OutboxRow(to: Self.ok, body: "held", sendAt: later),
                OutboxRow(to: "+16125550125", body: "held too", sendAt: later),
            ])
            #expect(try await harness.eventually { try harness.state(of: ids[0]) == "failed" && harness.count(where: "state = 'scheduled'") == 2 })
            let firstKey = try await harness.database.message(ids[0])?.carrierKey
            let client = try await client(harness)

            // Still failing at the carrier: refused again, but the retry itself happened.
            harness.simulator.setError(for: bad, nil)
            let retried = try await client.call(Admin.retry(RetryRequest(.failed(org: DaemonHarness.org))))
            #expect(retried.changed == [ids[0]])
            #expect(try await harness.eventually { try harness.state(of: ids[0]) == "delivered" })
            let message = try #require(await harness.database.message(ids[0]))
            #expect(message.carrierKey != firstKey, "a retry is a new send: the gateway must not answer it from its idempotency cache")
            let events = try await harness.database.events(of: ids[0]).map(\.to)
            #expect(events == [.queued, .sending, .failed, .queued, .sending, .sent, .delivered])

            let again = try await client.call(Admin.retry(RetryRequest(.message(ids[0]))))
            #expect(again.changed.isEmpty)
            #expect(again.skipped.first?.reason.contains("delivered") == true)

            let one = try await client.call(Admin.cancel(CancelRequest(.message(ids[1]))))
            #expect(one.changed == [ids[1]])
            let rest = try await client.call(Admin.cancel(CancelRequest(.matching(org: DaemonHarness.org, state: .scheduled))))
            #expect(rest.changed == [ids[2]])
            #expect(try harness.state(of: ids[1]) == "canceled")
            #expect(try harness.state(of: ids[2]) == "canceled")
            let canceled = try #require(await harness.database.events(of: ids[1]).last)
            #expect(canceled.detail?.contains("uid \(getuid())") == true, "the event names who canceled")
            let delivered = try await client.call(Admin.cancel(CancelRequest(.message(ids[0]))))
            #expect(delivered.changed.isEmpty && delivered.skipped.count == 1)
            do {
                _ = try await client.call(Admin.cancel(CancelRequest(.matching(org: DaemonHarness.org, state: .sent))))
                Issue.record("canceling sent messages was accepted")
            } catch let error as AdminError {
                #expect(error.code == .conflict)
            }
        }
    }

    @Test("a paused org's messages wait, none is lost, and resume sends them at once")
    func pauseAndResume() async throws {
        try await DaemonHarness.withDaemon { harness in
            let client = try await client(harness)
            let paused = try await client.call(Admin.pause(PauseRequest(.org(DaemonHarness.org))))
            #expect(paused.paused && paused.changed)
            let ids = try harness.insert((0..<5).map { OutboxRow(to: String(format: "+161255502%02d", $0), body: "wait \($0)") })
            #expect(try await harness.eventually { try harness.count(where: "held_reason = 'org_paused'") == 5 })
            // Held at their first claim, and not due again before the 60 s recheck: none was posted.
            let posted = try await harness.producer.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message_event WHERE to_state = 'sending' AND message_id IN (\(ids.map(String.init).joined(separator: ",")))") ?? 0
            }
            #expect(posted == 0)
            #expect(harness.simulator.stats().accepted == 0, "nothing posted while paused")
            let status = try await client.call(Admin.status())
            #expect(status.pausedOrgs == [DaemonHarness.org])

            let resumed = try await client.call(Admin.resume(PauseRequest(.org(DaemonHarness.org))))
            #expect(!resumed.paused && resumed.changed)
            // Well inside the 60 s recheck of a paused message: resume made them due at once.
            #expect(try await harness.eventually(timeout: .seconds(20)) { try ids.allSatisfy { try harness.state(of: $0) == "delivered" } })

            let sender = try await client.call(Admin.pause(PauseRequest(.sender("(612) 555-0100"))))
            #expect(sender.sender == DaemonHarness.alice && sender.changed)
            let again = try await client.call(Admin.pause(PauseRequest(.sender(DaemonHarness.alice))))
            #expect(!again.changed)
            await #expect(throws: AdminError.self) { try await client.call(Admin.pause(PauseRequest(.org("nobody")))) }
        }
    }

    @Test("send goes through the outbox and the ingester's checks")
    func send() async throws {
        try await DaemonHarness.withDaemon { harness in
            let client = try await client(harness)
            try harness.optIn([(DaemonHarness.org, Self.ok)])
            let sent = try await client.call(Admin.send(SendRequest(org: DaemonHarness.org, from: "alice", to: "(612) 555-0123", text: "from heraldctl")))
            #expect(try await harness.eventually { try harness.state(of: sent.id) == "delivered" })
            let jamaica = try await client.call(Admin.send(SendRequest(org: DaemonHarness.org, from: "alice", to: "+1 876 555 0100", text: "no")))
            #expect(try await harness.eventually { try harness.state(of: jamaica.id) == "rejected" })
            let usage = try await client.call(Admin.usage(UsageRequest(org: DaemonHarness.org, user: nil)))
            let totals = usage.rows.filter { $0.user == nil }
            #expect(totals.count == 13, "this month and the 12 before")
            #expect(totals.first?.segments == 1)
            #expect(totals.dropFirst().allSatisfy { $0.segments == 0 })
            #expect(usage.rows.contains { $0.user == "alice" && $0.segments == 1 })
        }
    }

    @Test("bad lines get an error response and the connection goes on")
    func badLines() async throws {
        try await DaemonHarness.withDaemon { harness in
            let client = try await client(harness)
            func error(after line: [UInt8]) async throws -> AdminError? {
                try await offPool {
                    try client.send(line)
                    return try AdminJSON.decoder().decode(AdminResponse<Empty>.self, from: Data(client.readLine())).error
                }
            }
            #expect(try await error(after: Array("not json\n".utf8))?.code == .badJSON)
            #expect(try await error(after: Array("{\"id\":3,\"command\":\"explode\"}\n".utf8))?.code == .unknownCommand)
            #expect(try await error(after: Array("{\"command\":\"show\",\"message\":\"x\"}\n".utf8))?.code == .badRequest)
            #expect(try await error(after: Array(repeating: UInt8(ascii: "a"), count: 200_000) + [UInt8(ascii: "\n")])?.code == .lineTooLong)
            #expect(try await error(after: [0xFF, 0xFE, 0x00, UInt8(ascii: "\n")])?.code == .badJSON)
            let status = try await client.call(Admin.status())
            #expect(status.pid == getpid(), "same connection, same daemon")
        }
    }

    @Test("watch streams each event and inbound reply as it happens")
    func watch() async throws {
        try await DaemonHarness.withDaemon { harness in
            let watcher = try await client(harness)
            _ = try await watcher.call(Admin.watch())
            let id = try harness.insert([OutboxRow(to: Self.ok, body: "watch me")])[0]
            _ = try await harness.simulator.injectInbound(from: Self.ok, to: DaemonHarness.alice, body: "hello back")
            var states: [String] = []
            var replies: [InboundRecord] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, !(states.last == "delivered" && !replies.isEmpty) {
                let text = try await watcher.readLine(within: .seconds(30))
                let line = try AdminJSON.decoder().decode(WatchLine.self, from: Data(text))
                if let event = line.event, event.messageID == id { states.append(event.to.rawValue) }
                if let reply = line.inbound { replies.append(reply) }
            }
            #expect(states == ["queued", "sending", "sent", "delivered"])
            #expect(replies.first?.body == "hello back")
            #expect(replies.first?.org == DaemonHarness.org)
        }
    }

    @Test("connections beyond the cap are told so; the others are served")
    func connectionCap() async throws {
        try await DaemonHarness.withDaemon(extraConfig: "") { harness in
            var open: [AdminClient] = []
            for _ in 0..<harness.configuration.admin.maxConnections { open.append(try await client(harness)) }
            do {
                _ = try await AdminClient.open(harness.adminSocket)
                Issue.record("a connection beyond the cap was served")
            } catch let AdminClient.ConnectError.refused(_, error) {
                #expect(error.code == .tooManyConnections)
            }
            #expect(try await open[0].call(Admin.status()).pid == getpid())
            open.removeLast()
            // The slot is free once the daemon has seen that connection close.
            var served: AdminClient?
            #expect(try await eventually {
                served = try? await client(harness)
                return served != nil
            })
            #expect(try await served?.call(Admin.status()).pid == getpid())
        }
    }

    @Test("a silent connection is closed after idle_timeout; a watcher is not")
    func idleTimeout() async throws {
        try await DaemonHarness.withDaemon(adminConfig: "idle_timeout = 0.5") { harness in
            let silent = try await client(harness)
            // On a starved machine a new connection can sit past the 0.5 s before its `watch`
            // request is read, and is rightly closed: try again until a watcher is attached.
            var attached: AdminClient?
            try await waitUntil("a watcher to attach within idle_timeout") {
                guard let candidate = try? await client(harness),
                      (try? await candidate.call(Admin.watch())) != nil else { return false }
                attached = candidate
                return true
            }
            let watcher = try #require(attached)
            // A connection opened after `silent` that only reads: once the daemon has closed it,
            // the older `silent` has been idle longer still.
            let probe = try SilentAdminConnection(path: harness.adminSocket)
            #expect(try await eventually { probe.closedByDaemon })
            await #expect(throws: AdminClient.ConnectError.self, "closed for silence") {
                try await silent.call(Admin.status())
            }
            let id = try harness.insert([OutboxRow(to: Self.ok, body: "still watched")])[0]
            let text = try await watcher.readLine(within: .seconds(30))
            let line = try AdminJSON.decoder().decode(WatchLine.self, from: Data(text))
            #expect(line.event?.messageID == id, "the watcher outlived the idle timeout")
        }
    }

    @Test("a backup taken while sending is a complete, consistent database")
    func backupWhileSending() async throws {
        try await DaemonHarness.withDaemon { harness in
            harness.simulator.setLatency(.milliseconds(5))
            let ids = try harness.insert((0..<2000).map { OutboxRow(to: String(format: "+1612557%04d", $0), body: "backup \($0)") })
            #expect(try await harness.eventually { try harness.count(where: "state = 'delivered'") > 100 })
            // From here on posts hang until the simulator stops, so the backup lands mid-run
            // however long a loaded machine takes to get to it.
            harness.simulator.setLatency(.seconds(3600))
            let path = harness.directory.appendingPathComponent("backup.db").path
            let result = try await client(harness).call(Admin.backup(BackupRequest(path: path)))
            #expect(result.bytes > 0)
            #expect(try harness.count(where: "state = 'delivered'") < ids.count, "taken mid-run")
            let copy = try DatabaseQueue(path: path)
            try await copy.read { db in
                #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
                // Consistent: every message's state matches the last event recorded for it.
                let mismatched = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM message m WHERE m.state != (SELECT to_state FROM message_event e WHERE e.message_id = m.id ORDER BY e.id DESC LIMIT 1)
                    """)
                #expect(mismatched == 0)
                let rows = try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM message) + (SELECT COUNT(*) FROM outbox)")
                #expect(rows == ids.count, "every row is either still in the outbox or a message")
            }
            #expect(!FileManager.default.fileExists(atPath: path + ".partial-\(getpid())"))
        }
    }
}

/// A raw connection to the admin socket that reads the greeting and then says nothing, so a test
/// can see the daemon close it without sending anything that would reset its idle timer.
private final class SilentAdminConnection {
    private let fd: Int32

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    /// True once the daemon has closed its end: reading finds the end of the stream (the
    /// greeting it sent first is read and dropped on the way).
    var closedByDaemon: Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        // The greeting is a line; a few reads drain it whatever the daemon's write sizes.
        for _ in 0..<16 {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 { continue }
            return count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
        }
        return false
    }

    deinit { close(fd) }
}
