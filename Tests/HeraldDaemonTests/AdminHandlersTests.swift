import Foundation
import HeraldControl
import HeraldCore
@testable import HeraldDaemon
import HeraldStore
import Logging
import Testing

@Suite("Admin handlers")
struct AdminHandlersTests {
    private let peer = AdminPeer(pid: 1, uid: 1000, gid: 1000, user: "alice")

    private func controller(_ folder: URL) async throws -> AdminController {
        let database = try QueueDatabase(path: folder.appendingPathComponent("herald.db").path)
        try await database.upsert(organizations: [OrganizationRecord(
            id: "acme", name: "Acme", timeZone: "America/Chicago", windowStart: "00:00", windowEnd: "23:59", windowDays: nil,
            senders: [SenderRecord(userID: "alice", name: "Alice", number: DaemonHarness.alice, numberType: "long_code", rate: 10)]
        )], now: Date())
        return AdminController(
            database: database, directory: try await SharedDirectory(windows: WindowCalculator()) { try await database.loadDirectory() },
            clock: SystemWallClock(), logger: Logger(label: "test"), startedAt: Date(), sendRate: { 0 }, wake: {}
        )
    }

    private func refusal<P, R>(_ call: AdminCall<P, R>, _ controller: AdminController) async throws -> AdminError? {
        var upload = ContactsUpload()
        let line = await controller.respond(to: call, as: peer, upload: &upload)
        return try AdminJSON.decoder().decode(AdminResponse<Empty>.self, from: Data(line)).error
    }

    @Test("every declared command has exactly one handler")
    func everyCommandHandled() async throws {
        let folder = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try await controller(folder).handlers.unhandled == [])
    }

    @Test("commands scoped to an organization refuse an unknown one the same way, before their handler runs")
    func organizationPrecondition() async throws {
        let folder = try DaemonHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let controller = try await controller(folder)
        let expected = AdminError(.notFound, #"no organization "nowhere""#)
        #expect(try await refusal(Admin.numbersList(OrganizationRef("nowhere")), controller) == expected)
        #expect(try await refusal(Admin.consentShow(ConsentShowRequest(org: "nowhere", number: "6125550123")), controller) == expected)
        #expect(try await refusal(Admin.groupShow(GroupShowRequest(org: "nowhere", name: "vip")), controller) == expected)
        #expect(try await refusal(Admin.send(SendRequest(org: "nowhere", from: "alice", to: "6125550123", text: "hi")), controller) == expected)
        #expect(try await refusal(Admin.numbersList(OrganizationRef("acme")), controller) == nil, "a known org passes")
    }
}
