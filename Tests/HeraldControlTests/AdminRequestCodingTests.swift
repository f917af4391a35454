import Foundation
import HeraldControl
import Testing

@Suite("Admin request lines")
struct AdminRequestCodingTests {
    private func decode(_ text: String) -> Result<AdminRequest, AdminRequest.Refusal> {
        AdminRequest.decode(Array(text.utf8))
    }

    private func error(_ text: String) -> AdminError? {
        if case let .failure(refusal) = decode(text) { return refusal.error }
        return nil
    }

    @Test("every command survives a round trip through its line", arguments: [
        AdminCommand.status, .watch, .queue(QueueFilter(state: "scheduled", org: "acme", to: "+16125550123", limit: 7)),
        .show(messageID: 42), .why(messageID: 9), .retry(.message(3)), .retry(.failed(org: nil)), .retry(.failed(org: "acme")),
        .cancel(.message(5)), .cancel(.matching(org: "acme", state: "scheduled")), .pause(.org("acme")), .resume(.sender("+16125550100")),
        .send(SendRequest(org: "acme", from: "alice", to: "+16125550123", kind: "journey", text: "Hi \"there\"\nbye")),
        .usage(org: "acme", user: nil), .usage(org: nil, user: nil), .backup(path: "/var/lib/herald/backup.db"),
        .backup(path: "/var/lib/herald/backup.db", force: true),
    ])
    func roundTrip(command: AdminCommand) throws {
        let request = AdminRequest(id: .number(12), command)
        let line = try request.line()
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false, "one request is one line")
        #expect(try decode(String(decoding: line.dropLast(), as: UTF8.self)).get() == request)
    }

    @Test("string and absent ids are echoed as given")
    func ids() throws {
        #expect(try decode(#"{"id":"a-1","command":"status"}"#).get().id == .text("a-1"))
        #expect(try decode(#"{"command":"status"}"#).get().id == nil)
    }

    @Test("malformed lines are refused with a code and a sentence naming the problem")
    func refusals() {
        #expect(error("not json")?.code == .badJSON)
        #expect(error("[1,2]")?.code == .badJSON)
        #expect(error(#"{"id":1}"#)?.code == .badRequest)
        #expect(error(#"{"command":"explode"}"#)?.code == .unknownCommand)
        #expect(error(#"{"command":"explode"}"#)?.message.contains("status") == true, "lists the commands there are")
        #expect(error(#"{"command":"queue","stat":"failed"}"#)?.message.contains("stat") == true)
        #expect(error(#"{"command":"queue","limit":"ten"}"#)?.message.contains("limit") == true)
        #expect(error(#"{"command":"queue","limit":0}"#)?.code == .badRequest)
        #expect(error(#"{"command":"show"}"#)?.message.contains("message") == true)
        #expect(error(#"{"command":"retry","message":1,"failed":true}"#)?.code == .badRequest)
        #expect(error(#"{"command":"cancel","org":"acme"}"#)?.code == .badRequest)
        #expect(error(#"{"command":"pause"}"#)?.code == .badRequest)
        #expect(error(#"{"command":"backup","path":"relative.db"}"#)?.message.contains("absolute") == true)
        #expect(error(#"{"command":"backup","path":"/b.db","force":"yes"}"#)?.message.contains("force") == true)
    }

    @Test("backup's force is written only when set, and read as false when absent")
    func backupForce() throws {
        let plain = String(decoding: try AdminRequest(.backup(path: "/b.db")).line(), as: UTF8.self)
        #expect(!plain.contains("force"), "a line an older daemon still takes: \(plain)")
        let forced = String(decoding: try AdminRequest(.backup(path: "/b.db", force: true)).line(), as: UTF8.self)
        #expect(forced.contains(#""force":true"#))
        #expect(try decode(#"{"command":"backup","path":"/b.db"}"#).get().command == .backup(path: "/b.db", force: false))
    }

    @Test("a refused line that is a JSON object keeps its id")
    func refusalKeepsID() {
        guard case let .failure(refusal) = decode(#"{"id":77,"command":"nope"}"#) else {
            Issue.record("accepted an unknown command")
            return
        }
        #expect(refusal.id == .number(77))
    }

    @Test("responses decode into results or errors")
    func responses() throws {
        let ok = try AdminJSON.decoder().decode(AdminResponse<SendResult>.self, from: Data(#"{"id":1,"ok":true,"result":{"id":5}}"#.utf8))
        #expect(try ok.get() == SendResult(id: 5))
        let bad = try AdminJSON.decoder().decode(
            AdminResponse<SendResult>.self, from: Data(#"{"id":1,"ok":false,"error":{"code":"not_found","message":"no message 5"}}"#.utf8))
        #expect(throws: AdminError(.notFound, "no message 5")) { try bad.get() }
    }

    @Test("changing commands are told apart from read-only ones")
    func access() {
        #expect(AdminCommand.status.changesState == false)
        #expect(AdminCommand.watch.changesState == false)
        #expect(AdminCommand.cancel(.message(1)).changesState)
        #expect(AdminCommand.send(SendRequest(org: "a", from: "b", to: "c", text: "d")).changesState)
    }
}
