import CarrierSimulator
import Foundation
import GRDB
import HeraldTestSupport
import Logging
import Testing

/// The crash test through real parts: the real heraldd, SIGKILLed and restarted `kills` times
/// while `texts` texts go through a simulator as strict as a real carrier (no dedupe by
/// idempotency key, each status callback tried once) that faults all the time: 503s, dropped
/// connections, 429s with Retry-After, hangs past `request_timeout`, texts taken on whose answer
/// is then cut off, and a fifth of the status callbacks lost. Then everything is let settle and
/// counted (``ChaosReport``).
struct ChaosScenario {
    var texts: Int
    var kills: Int
    /// `[carrier] unknown_outcome`: `lookup`, or `repost` to show what re-posting costs without dedupe.
    var unknownOutcome: String
    var chunks = 5

    /// Every tick re-arms the counted faults; the simulator uses them up on the next posts.
    static let tick: Duration = .milliseconds(500)
    /// Past the 2 s `request_timeout` below: the post times out after it was sent, an unknown outcome.
    static let hang: Duration = .seconds(3)
    static let lostCallbacks = 0.2
    /// The list heraldd searches, filtered by DateSent, shows a text only once the carrier has
    /// sent it, which the simulator does 20 ms after taking it when it gets the CPU; a lookup
    /// before then finds nothing and posts again. Far above what it takes in a test process of
    /// its own, still short beside the run.
    static let lookupDelay = 5.0

    /// Each tick throttles one sender for a second (Retry-After: 1), and the pause is the
    /// sender's: with two senders, ticks every half second would keep both paused nearly all the
    /// time. With six, at most two are paused at once and the rest keep the run moving.
    static let senders: [(id: String, number: String)] = [
        ("alice", DaemonHarness.alice), ("bob", DaemonHarness.bob), ("carol", "+16125550102"),
        ("dave", "+16125550103"), ("erin", "+16125550104"), ("frank", "+16125550105"),
    ]

    static func recipient(_ index: Int) -> String { String(format: "+1612558%04d", index) }

    /// A recipient gets about four texts, some of them from the same sender: conversations whose
    /// texts must go one after another.
    var recipients: Int { max(1, texts / 4) }

    /// The test daemon's configuration made for the run: short timeouts and lookups, attempts
    /// enough that no fault fails a text for good, `[reconcile]` soon after sent and a give-up age
    /// reached only if something is wrong.
    func configure(_ text: String) -> String {
        var text = text
        for (old, new) in [
            ("request_timeout = 5.0", "request_timeout = 2.0"),
            ("lookup_delay = 0.5", "lookup_delay = \(Self.lookupDelay)\nunknown_outcome = \"\(unknownOutcome)\""),
            ("max_attempts = 6", "max_attempts = 50"),
        ] {
            if !text.contains(old) { Issue.record("the test configuration no longer holds \(String(reflecting: old)): the chaos run would not be set up as meant") }
            text = text.replacingOccurrences(of: old, with: new)
        }
        for sender in Self.senders.dropFirst(2) {
            text += """

            [[orgs.users]]
            id = "\(sender.id)"
            name = "\(sender.id.capitalized)"
            number = "\(sender.number)"
            number_type = "long_code"
            rate = 5000.0
            """
        }
        return text + "\n[reconcile]\nafter = 2\ngive_up_after = 600\nrate = 200\nin_flight = 8\n"
    }

    func run() async throws -> ChaosReport {
        precondition(kills >= 1 && chunks >= 1 && texts >= chunks)
        try #require(FileManager.default.isExecutableFile(atPath: CrashRecoveryTests.heralddPath),
                     "heraldd not built at \(CrashRecoveryTests.heralddPath)")
        let directory = try DaemonHarness.temporaryDirectory()
        var keep = false
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }
        // Callbacks for posts of one run must reach the next.
        let webhookPort = try PortReservation()
        var strict = SimulatorConfiguration(callbackDelay: .milliseconds(20))
        strict.dedupe = false
        strict.callbackAttempts = 1
        let report: ChaosReport
        do {
            // Its warnings are about callbacks that found heraldd down, which the run does on purpose.
            var quiet = Logger(label: "herald.carrier-sim")
            quiet.logLevel = .error
            report = try await CarrierSimulator.withRunning(strict, logger: quiet) { simulator in
                try await run(simulator: simulator, directory: directory, webhookPort: webhookPort.port)
            }
        } catch {
            keep = true
            print("chaos run (\(unknownOutcome)) failed: heraldd's logs and database kept in \(directory.path)")
            throw error
        }
        // Duplicates are what a repost run is expected to show; anything else is kept for a look.
        if !report.settled || (unknownOutcome == "lookup" && !report.examples.isEmpty) {
            keep = true
            print("chaos run (\(unknownOutcome)): heraldd's logs and database kept in \(directory.path)")
        }
        return report
    }

    private func run(simulator: RunningSimulator, directory: URL, webhookPort: Int) async throws -> ChaosReport {
        var report = ChaosReport(unknownOutcome: unknownOutcome, texts: texts, kills: kills)
        let (configPath, databasePath, _) = try CrashRecoveryTests.writeFiles(
            in: directory, simulator: simulator, webhookPort: webhookPort, edit: configure
        )
        var starts = 0
        func log(_ start: Int) -> URL { directory.appendingPathComponent("heraldd-\(start).log") }
        func start() throws -> SpawnedProcess {
            starts += 1
            return try CrashRecoveryTests.startHeraldd(config: configPath, log: log(starts))
        }
        var heraldd = try start()
        defer {
            if heraldd.isRunning {
                kill(heraldd.processIdentifier, SIGKILL)
                heraldd.waitUntilExit()
            }
        }
        let queue = try await CrashRecoveryTests.producer(databasePath: databasePath, log: log(1))
        try DaemonHarness.optIn((0..<recipients).map { (DaemonHarness.org, Self.recipient($0)) }, in: queue)

        @Sendable func count(_ condition: String) async throws -> Int {
            try await queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE \(condition)") ?? 0 }
        }
        /// Texts the carrier has taken on, as far as heraldd knows.
        @Sendable func taken() async throws -> Int { try await count("state IN ('sent', 'delivered')") }

        // Generous bounds that a healthy run stays far inside; reaching one fails the run.
        let progressTimeout: Duration = .seconds(90 + texts / 40)
        let began = ContinuousClock.now
        let faultDeadline = began + .seconds(300 + texts / 10)
        let (texts, recipients, unknownOutcome) = (self.texts, self.recipients, self.unknownOutcome)
        // Chunks go in while heraldd runs, each once the carrier has taken most of the last, from
        // this task, between the kills. Never while heraldd is stopped: it may hold the write lock,
        // and the insert, waiting for it on the one connection the test also reads with, would
        // stall the very read that decides the kill until the busy timeout failed it.
        var insertedIDs: [Int64] = []
        let size = (texts + chunks - 1) / chunks
        func insertDueChunks() async throws {
            while insertedIDs.count < texts {
                if !insertedIDs.isEmpty, try await taken() < insertedIDs.count - size / 2 { return }
                let range = insertedIDs.count..<min(texts, insertedIDs.count + size)
                insertedIDs += try await queue.write { db in
                    try range.map { i in
                        let sender = Self.senders[i % Self.senders.count].id
                        try db.execute(sql: "INSERT INTO outbox (org, sender, to_number, body) VALUES (?, ?, ?, ?)",
                                       arguments: [DaemonHarness.org, sender, Self.recipient(i % recipients), "chaos \(unknownOutcome) \(i)"])
                        return db.lastInsertedRowID
                    }
                }
            }
        }
        /// Polls until the carrier has taken `target` texts, inserting chunks as they come due;
        /// fails at once if heraldd ended by itself, and with the queue's states if it takes too long.
        func waitForProgress(_ target: Int, _ what: String) async throws {
            let current = heraldd
            let reached = try await eventually(timeout: progressTimeout, interval: .milliseconds(100)) {
                guard current.isRunning else { throw HeralddExited(status: current.terminationStatus, log: log(starts).path) }
                try await insertDueChunks()
                return try await taken() >= target
            }
            guard reached else {
                let states = try await queue.read { db in
                    try Row.fetchAll(db, sql: "SELECT state, held_reason, COUNT(*) AS n FROM messages GROUP BY 1, 2")
                        .map { "\($0["state"] as String) \($0["held_reason"] as String? ?? "-") \($0["n"] as Int)" }
                }
                throw WaitTimedOut(what: "the carrier to take \(target) texts \(what) (\(insertedIDs.count) inserted; \(states))",
                                   timeout: progressTimeout, location: #fileID)
            }
        }

        let ticks = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                var ticks = 0
                var plan = FaultPlan()
                plan.loseCallbacksFraction = Self.lostCallbacks
                while !Task.isCancelled {
                    guard ContinuousClock.now < faultDeadline else {
                        throw WaitTimedOut(what: "the inserts and kills to finish (the fault loop's deadline)", timeout: faultDeadline - began,
                                           location: #fileID)
                    }
                    plan.failNext = 2
                    plan.failStatus = 503
                    plan.dropNext = 1
                    plan.throttleNext = 1
                    plan.throttleRetryAfterSeconds = 1
                    plan.hangNext = 1
                    plan.hangDuration = Self.hang
                    plan.acceptThenDropNext = 1
                    simulator.setFaults(plan)
                    ticks += 1
                    try? await Task.sleep(for: Self.tick)
                }
                return ticks
            }
            for k in 1...kills {
                try await waitForProgress(texts * k / (kills + 1), "before kill \(k)")
                // Stopped while the test looks, so the kill lands with posts in flight when there are any.
                var inFlight = false
                let lookDeadline = ContinuousClock.now + .seconds(10)
                while ContinuousClock.now < lookDeadline {
                    try await ChildProcess.freeze(heraldd.processIdentifier)
                    // Frozen halfway through writing the WAL index after a commit, heraldd holds
                    // the lock a reader needs to mend it: SQLite answers SQLITE_PROTOCOL (or BUSY)
                    // after its retries. Not a fault of the queue; that look is simply retried.
                    let sending: Int
                    do {
                        sending = try await count("state = 'sending'")
                    } catch let error as DatabaseError where [.SQLITE_PROTOCOL, .SQLITE_BUSY].contains(error.resultCode) {
                        sending = 0
                    }
                    if sending > 0 {
                        inFlight = true
                        break
                    }
                    ChildProcess.thaw(heraldd.processIdentifier)
                    try await Task.sleep(for: .milliseconds(20))
                }
                if inFlight { report.killsWithPostsInFlight += 1 }
                kill(heraldd.processIdentifier, SIGKILL)
                heraldd.waitUntilExit()
                heraldd = try start()
            }
            // The last chunks, if the kills came before they were due.
            try await waitForProgress(texts - size / 2, "after the last kill")
            group.cancelAll()
            return try await group.next() ?? 0
        }
        report.faultTicks = ticks
        // Everything cleared, lost callbacks too: the run may now settle.
        simulator.clearFaults()
        report.inserted = insertedIDs.count

        // Reconciliation is due 2 s after sent, unknown outcomes 5 s after their post, retries
        // within a second: a healthy heraldd finishes everything well inside this.
        let open = "state IN ('queued', 'scheduled', 'awaiting_consent', 'sending', 'sent')"
        report.settled = try await eventually(timeout: .seconds(120 + texts / 100), interval: .milliseconds(200)) {
            let outbox = try await queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0 }
            let notFinal = try await count(open)
            return outbox == 0 && notFinal == 0
        }
        report.elapsed = ContinuousClock.now - began
        heraldd.terminate()
        try await ChildProcess.waitForExit(heraldd, timeout: .seconds(60))
        report.heralddExitStatus = heraldd.terminationStatus
        try await tally(queue: queue, simulator: simulator, insertedIDs: insertedIDs, into: &report)
        return report
    }

    private func tally(queue: DatabaseQueue, simulator: RunningSimulator, insertedIDs: [Int64], into report: inout ChaosReport) async throws {
        struct Stored {
            var id: Int64
            var body: String
            var state: String
            var sid: String?
        }
        let stored = try await queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, body, state, carrier_sid FROM messages").map {
                Stored(id: $0["id"], body: $0["body"], state: $0["state"], sid: $0["carrier_sid"])
            }
        }
        report.messages = stored.count
        let ids = Set(stored.map(\.id))
        report.lost = insertedIDs.filter { !ids.contains($0) }.count
        report.states = Dictionary(grouping: stored, by: \.state).mapValues(\.count)
        report.leftSent = report.states["sent"] ?? 0
        report.unfinished = ["queued", "scheduled", "awaiting_consent", "sending"].reduce(0) { $0 + (report.states[$1] ?? 0) }
        report.failed = report.states["failed"] ?? 0

        let accepted = Dictionary(grouping: simulator.messages(), by: \.body)
        var problems: [(Int64, String)] = []
        for message in stored {
            let takes = accepted[message.body] ?? []
            if takes.count > 1 {
                report.acceptedMoreThanOnce += 1
                report.extraAcceptances += takes.count - 1
                // The list heraldd searches is filtered by DateSent: a text the carrier has taken
                // but not yet sent is not in it. If the first was sent only after the second was
                // taken, no lookup before that second post could have seen it.
                let ordered = takes.sorted { $0.acceptedAt < $1.acceptedAt }
                let unseen = ordered[0].sentAt.map { $0 > ordered[1].acceptedAt } ?? true
                if unseen { report.duplicatesUnseen += 1 }
                problems.append((message.id, "accepted \(takes.count) times"
                    + (unseen ? "; the carrier sent the first only after taking the second, no lookup could see it" : "")))
            } else if takes.isEmpty, ["sent", "delivered"].contains(message.state) {
                report.neverAccepted += 1
                problems.append((message.id, "\(message.state) but never accepted"))
            } else if takes.count == 1, message.sid != takes[0].sid {
                report.sidMismatches += 1
                problems.append((message.id, "recorded sid \(message.sid ?? "none"), the carrier's \(takes[0].sid)"))
            }
        }
        report.slowestCarrierSend = accepted.values.joined().compactMap { take in take.sentAt.map { $0.timeIntervalSince(take.acceptedAt) } }
            .max() ?? 0
        let bodies = Set(stored.map(\.body))
        report.strangers = accepted.keys.filter { !bodies.contains($0) }.count
        let stats = simulator.stats()
        report.simulatorRepeatsByBody = stats.acceptedMoreThanOnce.byBody.texts
        report.posts = stats.requests
        report.faultsInjected = stats.faultsInjected
        report.acceptedThenDropped = stats.acceptedThenDropped
        report.callbacksLost = stats.callbacksLost
        report.callbacksFailed = stats.callbacksFailed

        let mismatched = try await queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.id, m.state, e.to_state FROM messages m
                LEFT JOIN (SELECT message_id, MAX(id) AS last FROM message_events GROUP BY message_id) l ON l.message_id = m.id
                LEFT JOIN message_events e ON e.id = l.last
                WHERE e.to_state IS NULL OR e.to_state <> m.state
                """).map { (id: $0["id"] as Int64, state: $0["state"] as String, last: $0["to_state"] as String?) }
        }
        report.stateMismatches = mismatched.count
        problems += mismatched.map { ($0.id, "state \($0.state), last event to \($0.last ?? "nothing")") }
        problems += stored.filter { !["delivered"].contains($0.state) }.prefix(5).map { ($0.id, "ended \($0.state)") }

        (report.outcomeLookups, report.foundSendingAtStart, report.reconciled) = try await queue.read { db in
            func events(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message_events WHERE \(sql)") ?? 0 }
            return (try events("reason = 'outcome_lookup'"), try events("detail LIKE '%found sending at start%'"), try events("reason = 'reconciled'"))
        }
        report.examples = try await describe(problems.prefix(8), queue: queue, accepted: accepted, stored: stored.map { ($0.id, $0.body) })
    }

    /// Each problem message with its events and what the simulator took on for its body.
    private func describe(
        _ problems: ArraySlice<(Int64, String)>, queue: DatabaseQueue, accepted: [String: [AcceptedMessage]], stored: [(Int64, String)]
    ) async throws -> [String] {
        let bodies = Dictionary(stored, uniquingKeysWith: { first, _ in first })
        var lines: [String] = []
        for (id, problem) in problems {
            let events = try await queue.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT at, from_state, to_state, reason, detail, http_status FROM message_events WHERE message_id = ? ORDER BY id
                    """, arguments: [id]).map { row in
                    "    \(row["at"] as String? ?? "-") \(row["from_state"] as String? ?? "-")>\(row["to_state"] as String) "
                        + "\(row["reason"] as String? ?? "-") \(row["http_status"] as Int? ?? 0) \(row["detail"] as String? ?? "")"
                }
            }
            let takes = (bodies[id].flatMap { accepted[$0] } ?? []).map {
                "    carrier: \($0.sid) key \($0.idempotencyKey ?? "-") accepted \($0.acceptedAt) status \($0.status)"
            }
            lines.append((["message \(id): \(problem)"] + events + takes).joined(separator: "\n"))
        }
        return lines
    }
}

/// heraldd ended on its own in the middle of the run: a crash, not one of the test's kills.
struct HeralddExited: Error, CustomStringConvertible {
    var status: Int32
    var log: String

    var description: String { "heraldd exited by itself with status \(status); its log: \(log)" }
}
