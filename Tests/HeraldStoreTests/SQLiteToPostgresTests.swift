import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

@testable import HeraldStore

/// scripts/sqlite-to-postgresql.sh: a SQLite queue with history copied into an empty PostgreSQL
/// queue reads the same through the store, and the PostgreSQL queue goes on from there.
@Suite("Store: moving a SQLite queue to PostgreSQL")
struct SQLiteToPostgresTests {
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/sqlite-to-postgresql.sh").path
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [Self.script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("every message, event, consent change and directory row arrives; a second run is refused; new ids come after the copied ones")
    func copiesTheQueue() async throws {
        let source = try await StoreFixture(.sqlite)
        // History of several kinds: sent, failed, rejected, a reply, an opt-out.
        for index in 0..<6 { try await source.produce(body: "text \(index)") }
        try await source.produce(to: "not a number")
        try await source.ingest()
        let claimed = try await source.db.claimDue(now: source.now, limit: 10) { _ in .send }.claimed
        _ = try await source.db.record(claimed.prefix(4).map {
            DispatchRecord(message: $0, decision: .sent(sid: "SM\($0.id)", carrierStatus: "queued", segments: 1), httpStatus: 201)
        } + claimed.suffix(2).map {
            DispatchRecord(message: $0, decision: .fail(errorCode: 21211, detail: "invalid 'To'"), httpStatus: 400)
        }, now: source.now + 1)
        _ = try await source.receive(InboundReport(from: "+16125550199", to: StoreFixture.alice, body: "STOP", sid: "SMin1"), now: source.now + 2)

        let target = try await StoreFixture(.postgresql, seed: false)
        let url = try PostgresCluster.shared().url + target.postgresDatabaseName
        let copied = try run([source.path, url])
        #expect(copied.status == 0, "\(copied.output)")
        #expect(copied.output.contains("copied"), "\(copied.output)")

        let before = try await source.db.messages()
        let after = try await target.db.messages()
        #expect(!before.isEmpty)
        #expect(after.map(\.id) == before.map(\.id))
        #expect(after.map(\.state) == before.map(\.state))
        #expect(after.map(\.body) == before.map(\.body))
        #expect(after.map(\.carrierSid) == before.map(\.carrierSid))
        for message in before {
            #expect(try await target.db.events(of: message.id).map(\.to) == (try await source.db.events(of: message.id).map(\.to)))
        }
        #expect(try await target.db.consentHistory(org: "acme", number: "+16125550199").count
            == (try await source.db.consentHistory(org: "acme", number: "+16125550199").count))
        #expect(try await target.db.consent(org: "acme", number: StoreFixture.contact) == .optedIn)
        let directories = (try await source.db.loadDirectory(), try await target.db.loadDirectory())
        #expect(directories.1.senders.map(\.number).sorted() == directories.0.senders.map(\.number).sorted())
        #expect(directories.1.organizations.keys.sorted() == directories.0.organizations.keys.sorted())
        #expect(try await target.db.usage() == (try await source.db.usage()))

        // The queue goes on: a new text gets an id after every copied one.
        let next = try await target.produce(body: "after the move")
        #expect(next > before.map(\.id).max() ?? 0)

        let again = try run([source.path, url])
        #expect(again.status == 65)
        #expect(again.output.contains("already holds organizations or texts"), "\(again.output)")
    }
}
