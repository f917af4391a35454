import CarrierSimulator
import Foundation
import GRDB
import HeraldCore
@testable import HeraldDaemon
import Logging
import Synchronization
import HeraldTestSupport
import Testing

/// Repeated failures without a flood: `ConditionLog` on a hand-moved clock, then the daemon's own
/// conditions (an unreachable carrier, a store that refuses replies) end to end.
@Suite("Condition log")
struct ConditionLogTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    // MARK: The type, on a manual clock

    @Test("one line when it starts, a counted reminder each minute, one line when it clears")
    func startReminderRecovery() {
        let clock = ManualWallClock(Self.start)
        let journal = CapturedLog()
        let log = ConditionLog("disk", what: "cannot record outcomes", clock: clock)
        #expect(!log.isFailing)

        log.failed("database or disk is full", logger: journal.logger)
        #expect(log.isFailing)
        #expect(journal.lines(atLeast: .notice).map(\.message) == ["cannot record outcomes: database or disk is full"])
        let first = journal.lines(atLeast: .notice)[0]
        #expect(first.level == .error)
        #expect(first.metadata["event"] == "condition_failing")
        #expect(first.metadata["condition"] == "disk")
        #expect(first.metadata["failures"] == "1")

        // Twice a second for a minute, as the loops retry: nothing more until the minute is up.
        for _ in 0..<119 {
            clock.advance(by: 0.5)
            log.failed("database or disk is full", logger: journal.logger)
        }
        #expect(journal.lines(atLeast: .notice).count == 1)
        clock.advance(by: 0.5)
        log.failed("database or disk is full", logger: journal.logger)
        let reminder = journal.lines(atLeast: .notice).last
        #expect(journal.lines(atLeast: .notice).count == 2)
        #expect(reminder?.message == "cannot record outcomes: still failing: 120 times in the last 60 s: database or disk is full")
        #expect(reminder?.level == .error)
        #expect(reminder?.metadata["event"] == "condition_still_failing")
        #expect(reminder?.metadata["failures"] == "120")

        // Another 30 s of failures, then it works again.
        for _ in 0..<60 {
            clock.advance(by: 0.5)
            log.failed("database or disk is full", logger: journal.logger)
        }
        clock.advance(by: 5)
        log.succeeded(logger: journal.logger)
        #expect(!log.isFailing)
        let recovered = journal.lines(atLeast: .notice).last
        #expect(journal.lines(atLeast: .notice).count == 3)
        #expect(recovered?.message == "cannot record outcomes: recovered after 181 failures over 95 s")
        #expect(recovered?.level == .notice)
        #expect(recovered?.metadata["event"] == "condition_recovered")
        #expect(recovered?.metadata["failures"] == "181")

        // Successes without a failure say nothing.
        log.succeeded(logger: journal.logger)
        #expect(journal.lines(atLeast: .notice).count == 3)
    }

    @Test("the attempts in between are still there at debug, and only there")
    func attemptsAtDebug() {
        let clock = ManualWallClock(Self.start)
        let journal = CapturedLog()
        let log = ConditionLog("claim", what: "cannot claim due messages", clock: clock)
        for _ in 0..<5 {
            log.failed("disk I/O error", logger: journal.logger)
            clock.advance(by: 1)
        }
        #expect(journal.lines(atLeast: .trace).filter { $0.level == .debug }.count == 4)
        #expect(journal.lines(atLeast: .info).count == 1)
        var quiet = journal.logger
        quiet.logLevel = .info
        log.failed("disk I/O error", logger: quiet)
        #expect(journal.lines(atLeast: .trace).count == 5, "nothing at all below the logger's level")
    }

    @Test("a batch that failed together counts as many failures")
    func batches() {
        let clock = ManualWallClock(Self.start)
        let journal = CapturedLog()
        let log = ConditionLog("carrier", what: "the carrier cannot be reached", level: .warning, clock: clock)
        log.failed("connection refused", count: 40, logger: journal.logger)
        #expect(journal.lines(atLeast: .notice).map(\.message) == ["the carrier cannot be reached: connection refused"])
        #expect(journal.lines(atLeast: .notice).first?.metadata["failures"] == "40")
        #expect(journal.lines(atLeast: .notice).first?.level == .warning)
        clock.advance(by: 61)
        log.failed("connection refused", count: 10, logger: journal.logger)
        #expect(journal.lines(atLeast: .notice).last?.message == "the carrier cannot be reached: still failing: 10 times in the last 61 s: connection refused")
        log.failed("ignored", count: 0, logger: journal.logger)
        log.succeeded(logger: journal.logger)
        #expect(journal.lines(atLeast: .notice).last?.message == "the carrier cannot be reached: recovered after 50 failures over 61 s")
    }

    @Test("a condition that flaps writes at most a line a minute, and the next line counts the quiet failures")
    func flapping() {
        let clock = ManualWallClock(Self.start)
        let journal = CapturedLog()
        let log = ConditionLog("webhook_inbound", what: "cannot store inbound replies", clock: clock)
        log.failed("disk full", logger: journal.logger)
        clock.advance(by: 1)
        log.succeeded(logger: journal.logger)
        #expect(journal.lines(atLeast: .notice).count == 2, "the first episode is announced and its end too")

        // Ten more short episodes within the minute: nothing written.
        for _ in 0..<10 {
            clock.advance(by: 1)
            log.failed("disk full", logger: journal.logger)
            clock.advance(by: 1)
            log.succeeded(logger: journal.logger)
        }
        #expect(journal.lines(atLeast: .notice).count == 2)

        // A minute after the last line, the next failure is written with what it stands for.
        clock.advance(by: 40)
        log.failed("disk full", logger: journal.logger)
        #expect(journal.lines(atLeast: .notice).count == 3)
        #expect(journal.lines(atLeast: .notice).last?.message == "cannot store inbound replies: disk full (11 failures in the last 60 s)")
        #expect(journal.lines(atLeast: .notice).last?.metadata["failures"] == "11")
        clock.advance(by: 1)
        log.succeeded(logger: journal.logger)
        #expect(journal.lines(atLeast: .notice).last?.message == "cannot store inbound replies: recovered after 1 failure over 1 s")
    }

    @Test("a condition that starts just after a line is written up at the next failure a minute on")
    func lateStart() {
        let clock = ManualWallClock(Self.start)
        let journal = CapturedLog()
        let log = ConditionLog("smtp", what: "cannot forward replies by email", level: .warning, clock: clock)
        log.failed("connection refused", logger: journal.logger)
        clock.advance(by: 10)
        log.succeeded(logger: journal.logger)
        clock.advance(by: 10)
        log.failed("connection refused", logger: journal.logger)
        clock.advance(by: 10)
        log.failed("connection refused", logger: journal.logger)
        #expect(journal.lines(atLeast: .notice).count == 2)
        clock.advance(by: 41)
        log.failed("503 try later", logger: journal.logger)
        #expect(journal.lines(atLeast: .notice).last?.message == "cannot forward replies by email: 503 try later (3 failures in the last 61 s)")
        #expect(journal.lines(atLeast: .notice).last?.metadata["event"] == "condition_failing")
        clock.advance(by: 4)
        log.succeeded(logger: journal.logger)
        #expect(journal.lines(atLeast: .notice).last?.message == "cannot forward replies by email: recovered after 3 failures over 55 s")
    }

    @Test("many threads reporting at once count every failure")
    func concurrent() async {
        let clock = ManualWallClock(Self.start)
        let journal = CapturedLog()
        let log = ConditionLog("claim", what: "cannot claim due messages", clock: clock)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { for _ in 0..<250 { log.failed("busy", logger: journal.logger) } }
            }
        }
        #expect(journal.lines(atLeast: .notice).count == 1)
        log.succeeded(logger: journal.logger)
        #expect(journal.lines(atLeast: .notice).last?.message == "cannot claim due messages: recovered after 2000 failures over 0 s")
    }

    // MARK: The carrier's health, from POST results

    @Test("what a POST result says about the carrier: reached, failing, or nothing")
    func carrierHealth() async throws {
        // Judged from the decision and the HTTP status alone; the message itself does not matter.
        let cases: [(OutcomeDecision, Int?, DispatchEvents.CarrierHealth)] = [
            (.sent(sid: "SM1", carrierStatus: "queued", segments: 1), nil, .reached),
            (.retry(notBefore: Self.start, reason: .retryBackoff, detail: "retryable connection refused"), nil, .failing("retryable connection refused")),
            (.retry(notBefore: Self.start, reason: .retryBackoff, detail: "retryable HTTP 503"), 503, .failing("retryable HTTP 503")),
            (.retry(notBefore: Self.start, reason: .carrierBackoff, detail: "account refused"), 401, .failing("account refused")),
            (.retry(notBefore: Self.start, reason: .carrierBackoff, detail: "throttled"), 429, .unknown),
            (.fail(errorCode: 21211, detail: "invalid To"), 400, .reached),
            (.fail(errorCode: nil, detail: "gave up after 6 attempts: timeout"), nil, .failing("gave up after 6 attempts: timeout")),
            (.expire(detail: "past expires_at"), nil, .unknown),
        ]
        for (decision, status, health) in cases {
            #expect(DispatchEvents.health(of: decision, httpStatus: status) == health, "\(decision) \(status.map(String.init) ?? "-")")
        }
    }

    // MARK: In the daemon

    @Test("an unreachable carrier is one line, however many posts fail, and one more when a post goes through")
    func unreachableCarrier() async throws {
        let journal = CapturedLog(level: .info)
        try await DaemonHarness.withDaemon(logger: journal.logger) { harness in
            harness.simulator.dropNext(1_000_000)
            let ids = try harness.insert((0..<3).map { OutboxRow(to: String(format: "+1612555%04d", $0), body: "while it is down \($0)") })
            #expect(try await harness.eventually { harness.simulator.stats().requests >= 10 }, "posts keep failing and are retried")
            // Starts only: on a machine slow enough to take a minute here, a reminder is fine.
            let carrierLines = { journal.lines(atLeast: .warning).filter { $0.metadata["condition"] == "carrier" && $0.metadata["event"] == "condition_failing" } }
            #expect(carrierLines().count == 1, "\(carrierLines().map(\.message))")
            #expect(carrierLines().first?.message.hasPrefix("the carrier cannot be reached or fails") == true)
            #expect(carrierLines().first?.metadata["event"] == "condition_failing")

            harness.simulator.clearFaults()
            let after = try harness.insert([OutboxRow(to: "+16125559999", body: "the carrier is back")])[0]
            #expect(try await harness.eventually { try harness.state(of: after) == "delivered" })
            #expect(try await harness.eventually {
                journal.lines(atLeast: .notice).contains { $0.metadata["condition"] == "carrier" && $0.metadata["event"] == "condition_recovered" }
            })
            let recovered = journal.lines(atLeast: .notice).first { $0.metadata["event"] == "condition_recovered" }
            #expect(recovered?.message.contains("recovered after") == true)
            // Posts in flight when the faults were cleared may land in the batch that clears it.
            #expect(Int(recovered?.metadata["failures"] ?? "") ?? 0 >= 5, "\(recovered?.message ?? "-")")
            #expect(carrierLines().count == 1, "still no second failing line")
            #expect(ids.count == 3)
        }
    }

    @Test("replies the store refuses get 500, one line for all of them, and one when it takes them again")
    func inboundStoreFailing() async throws {
        let journal = CapturedLog(level: .info)
        try await DaemonHarness.withDaemon(logger: journal.logger) { harness in
            // Stands in for a full disk: every stored reply fails.
            try await harness.producer.write { db in
                try db.execute(sql: "CREATE TRIGGER refuse_inbound BEFORE INSERT ON inbound_message BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
            }
            for index in 0..<5 {
                let delivery = try await harness.simulator.injectInbound(from: "+16125550123", to: DaemonHarness.alice, body: "hello \(index)")
                #expect(delivery.status == 500)
            }
            let lines = { journal.lines(atLeast: .warning).filter { $0.metadata["condition"] == "webhook_inbound" } }
            #expect(lines().count == 1, "\(lines().map(\.message))")
            #expect(lines().first?.message.contains("database or disk is full") == true)
            #expect(lines().first?.level == .error)

            try await harness.producer.write { db in try db.execute(sql: "DROP TRIGGER refuse_inbound") }
            let delivery = try await harness.simulator.injectInbound(from: "+16125550123", to: DaemonHarness.alice, body: "hello again")
            #expect(delivery.status == 200)
            let recovered = journal.lines(atLeast: .notice).filter { $0.metadata["condition"] == "webhook_inbound" && $0.metadata["event"] == "condition_recovered" }
            #expect(recovered.count == 1)
            #expect(recovered.first?.message.hasPrefix("cannot store inbound replies; the carrier is answered 500: recovered after 5 failures over ") == true)
        }
    }
}

/// Keeps what the journal would get: level, text and metadata of each line.
final class CapturedLog: Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let recorded = Mutex<[Line]>([])
    private let level: Logger.Level

    init(level: Logger.Level = .debug) {
        self.level = level
    }

    var logger: Logger {
        var logger = Logger(label: "heraldd-test") { _ in Handler(journal: self) }
        logger.logLevel = level
        return logger
    }

    func lines(atLeast level: Logger.Level) -> [Line] {
        recorded.withLock { $0.filter { $0.level >= level } }
    }

    private struct Handler: LogHandler {
        let journal: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }.mapValues { "\($0)" }
            journal.recorded.withLock { $0.append(Line(level: event.level, message: "\(event.message)", metadata: merged)) }
        }
    }
}
