import Foundation
import GRDB
import HeraldCarrier
import HeraldControl
import HeraldCore
@testable import HeraldDaemon
import HeraldStore
import Logging
import Synchronization
import Testing

/// The carrier's numbers API as a twin: races and refusals the simulator does not stage.
private final class NumbersTwin: NumbersClient {
    struct State {
        var offers: [String] = []
        /// Numbers someone else buys between search and purchase.
        var soldElsewhere: Set<String> = []
        var refuseReleases = false
        var purchases: [String] = []
        var releases: [String] = []
    }

    let state = Mutex(State())

    func search(areaCode: AreaCode) async throws(NumbersError) -> [String] {
        state.withLock { $0.offers }
    }

    func buy(_ e164: String, webhooks: NumberWebhooks) async throws(NumbersError) -> PurchasedNumber {
        let sold = state.withLock { state in
            state.purchases.append(e164)
            return state.soldElsewhere.contains(e164)
        }
        if sold { throw .rejected(operation: "buy \(e164)", status: 400, code: 21422, message: "Phone number \(e164) is not available.") }
        return PurchasedNumber(sid: "PN-\(e164.suffix(4))", e164: e164)
    }

    func release(sid: String) async throws(NumbersError) -> NumberRelease {
        let refused = state.withLock { state in
            state.releases.append(sid)
            return state.refuseReleases
        }
        if refused { throw .carrierFailure(operation: "release number \(sid)", status: 503, message: "maintenance") }
        return .released
    }
}

/// Log lines as the journal would get them.
private final class Journal: Sendable {
    let lines = Mutex<[(level: Logger.Level, metadata: [String: String])]>([])

    var logger: Logger {
        var logger = Logger(label: "heraldd-test") { _ in Handler(journal: self) }
        logger.logLevel = .debug
        return logger
    }

    /// `event number user changed_by` of each numbers line at notice.
    var changes: [String] {
        lines.withLock { lines in
            lines.filter { $0.level == .notice && ($0.metadata["event"] ?? "").hasPrefix("number_") }.map { line in
                ["event", "number", "user", "changed_by"].map { line.metadata[$0] ?? "-" }.joined(separator: " ")
            }
        }
    }

    private struct Handler: LogHandler {
        let journal: Journal
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }.mapValues { "\($0)" }
            journal.lines.withLock { $0.append((event.level, merged)) }
        }
    }
}

@Suite("Numbers: the admin controller against a twin carrier")
struct NumbersControllerTests {
    private let peer = AdminPeer(pid: 1, uid: 1000, gid: 1000, user: "erin")

    private func respond<P, R>(_ call: AdminCall<P, R>, _ controller: AdminController) async throws -> R {
        var upload = ContactsUpload()
        let line = await controller.respond(to: call, as: peer, upload: &upload)
        return try AdminJSON.decoder().decode(AdminResponse<R>.self, from: Data(line)).get()
    }

    @Test("a number sold meanwhile is skipped for the next; a refused release leaves the number and its texts as they were; changes are logged with who made them")
    func racesAndRefusals() async throws {
        let folder = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try QueueDatabase(path: folder.appendingPathComponent("herald.db").path)
        let now = Date()
        try await database.upsert(organizations: [OrganizationRecord(
            id: "acme", name: "Acme", timeZone: "America/Chicago", windowStart: "00:00", windowEnd: "23:59", windowDays: nil,
            senders: [SenderRecord(userID: "alice", name: "Alice", number: DaemonHarness.alice, numberType: "long_code", rate: 10)]
        )], now: now)
        try await database.pool.write { db in
            try db.execute(sql: "INSERT INTO user (org_id, id, name, cell_phone, managed_by, created_at, updated_at) VALUES ('acme', 'dave', 'Dave', '+16125550177', 'admin', 0, 0)")
        }
        let twin = NumbersTwin()
        twin.state.withLock {
            $0.offers = [DaemonHarness.alice, "+16125550160", "+16125550161"]
            $0.soldElsewhere = ["+16125550160"]
        }
        let journal = Journal()
        let seen = Mutex<[Directory]>([])
        let directory = try await SharedDirectory(windows: WindowCalculator()) {
            let loaded = try await database.loadDirectory()
            seen.withLock { $0.append(loaded) }
            return loaded
        }
        let controller = AdminController(
            database: database, directory: directory, clock: SystemWallClock(), logger: journal.logger, startedAt: now,
            sendRate: { 0 }, wake: {},
            numbers: NumbersSettings(client: twin, webhooks: NumberWebhooks(smsURL: "http://h/in", statusCallback: "http://h/status"))
        )

        let provisioned = try await respond(Admin.numbersProvision(NumbersProvisionRequest(org: "acme", users: ["dave"], areaCode: .matchCellPhone)),
                                            controller)
        #expect(provisioned.users.first?.number == "+16125550161")
        #expect(twin.state.withLock { $0.purchases } == ["+16125550160", "+16125550161"], "alice's own number is never bought")
        #expect(directory.current.sender(org: "acme", named: "dave")?.number == "+16125550161")
        #expect(seen.withLock { $0.last?.sender(number: "+16125550161")?.userID } == "dave", "read again from the store, for every service at once")
        #expect(journal.changes == ["number_provisioned +16125550161 dave erin (uid 1000)"])

        try DaemonHarness.optIn([("acme", "+16125550190")], in: database.pool)
        let waiting = try await database.insertOutbox(org: "acme", sender: "dave", to: "+16125550190", body: "later", kind: "conversational")
        try await database.pool.write { db in try db.execute(sql: "UPDATE outbox SET send_at = '2099-01-01T00:00:00Z'") }
        _ = try await database.ingest(limit: 10, now: now, directory: directory.current, rules: IngestRules(windows: nil))
        #expect(try await database.message(waiting)?.heldReason == .sendAt)

        twin.state.withLock { $0.refuseReleases = true }
        let refused = try await respond(Admin.numbersRelease(NumbersReleaseRequest(org: "acme", users: ["dave"], confirm: true)),
                                        controller)
        #expect(refused.users.first?.error?.code == "carrier")
        #expect(refused.users.first?.error?.message.contains("maintenance") == true)
        #expect(try await database.userNumbers(org: "acme", ids: ["dave"]).first?.number?.e164 == "+16125550161")
        #expect(directory.current.sender(number: "+16125550161") != nil, "still dave's, so still a sender")
        #expect(try await database.message(waiting)?.heldReason == .sendAt)
        #expect(journal.changes.count == 1)

        twin.state.withLock { $0.refuseReleases = false }
        let released = try await respond(Admin.numbersRelease(NumbersReleaseRequest(org: "acme", users: ["dave", "dave"], confirm: true)),
                                         controller)
        #expect(released.users.map { $0.error?.code ?? "ok" } == ["ok", "duplicate"])
        #expect(released.users.first?.held == [waiting])
        #expect(try await database.message(waiting)?.heldReason == .senderReleased)
        #expect(directory.current.sender(number: "+16125550161") == nil)
        #expect(twin.state.withLock { $0.releases } == ["PN-0161", "PN-0161"])
        #expect(journal.changes.last == "number_released +16125550161 dave erin (uid 1000)")
    }
}
