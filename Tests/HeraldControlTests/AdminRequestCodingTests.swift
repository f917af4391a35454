import Foundation
import HeraldControl
import HeraldCore
import Testing

@Suite("Admin request lines")
struct AdminRequestCodingTests {
    private func error(_ text: String) -> AdminError? { AdminLines.error(text) }

    @Test("every queue command survives a round trip through its line, its id with it")
    func roundTrips() throws {
        func same<P, R>(_ call: AdminCall<P, R>) throws {
            let (id, parameters) = try AdminLines.roundTrip(call)
            #expect(id == .number(12))
            #expect(parameters == call.parameters, "\(call.command.name)")
        }
        try same(Admin.status())
        try same(Admin.watch())
        try same(Admin.queue(QueueFilter(state: .scheduled, held: .orgWindow, org: "acme", to: "+16125550123", limit: 7)))
        try same(Admin.show(MessageRef(42)))
        try same(Admin.why(MessageRef(9)))
        for target in [RetryTarget.message(3), .failed(org: nil), .failed(org: "acme")] { try same(Admin.retry(RetryRequest(target))) }
        for target in [CancelTarget.message(5), .matching(org: "acme", state: .scheduled)] { try same(Admin.cancel(CancelRequest(target))) }
        try same(Admin.pause(PauseRequest(.org("acme"))))
        try same(Admin.resume(PauseRequest(.sender("+16125550100"))))
        try same(Admin.send(SendRequest(org: "acme", from: "alice", to: "+16125550123", kind: "journey", text: "Hi \"there\"\nbye")))
        try same(Admin.usage(UsageRequest(org: "acme")))
        try same(Admin.usage(UsageRequest()))
        try same(Admin.backup(BackupRequest(path: "/var/lib/herald/backup.db")))
        try same(Admin.backup(BackupRequest(path: "/var/lib/herald/backup.db", force: true)))
    }

    @Test("the wire form: id, command, and the command's fields in params")
    func wireForm() throws {
        #expect(try AdminLines.text(Admin.show(MessageRef(7))) == #"{"command":"show","params":{"message":7}}"#)
        #expect(try AdminLines.text(Admin.queue(QueueFilter(state: .awaitingConsent))) == #"{"command":"queue","params":{"limit":50,"state":"awaiting_consent"}}"#)
        #expect(try AdminLines.decode(Admin.queue, #"{"command":"queue"}"#) == QueueFilter(), "params may be left out")
    }

    @Test("string and absent ids are echoed as given")
    func ids() throws {
        #expect(try AdminEnvelope.decode(Array(#"{"id":"a-1","command":"status"}"#.utf8)).get().id == .text("a-1"))
        #expect(try AdminEnvelope.decode(Array(#"{"command":"status"}"#.utf8)).get().id == nil)
    }

    @Test("malformed lines are refused with a code and a sentence naming the problem")
    func refusals() {
        #expect(error("not json")?.code == .badJSON)
        #expect(error("[1,2]")?.code == .badJSON)
        #expect(error(#"{"id":1}"#)?.code == .badRequest)
        #expect(error(#"{"command":"explode"}"#)?.code == .unknownCommand)
        #expect(error(#"{"command":"explode"}"#)?.message.contains("status") == true, "lists the commands there are")
        #expect(error(#"{"command":"queue","params":{"stat":"failed"}}"#)?.message.contains("stat") == true)
        #expect(error(#"{"command":"queue","params":{"limit":"ten"}}"#)?.message.contains("limit") == true)
        #expect(error(#"{"command":"queue","params":{"limit":0}}"#)?.code == .badRequest)
        #expect(error(#"{"command":"queue","params":{"state":"lost"}}"#)?.message.contains("awaiting_consent") == true, "lists the states there are")
        #expect(error(#"{"command":"queue","params":{"held":"lunch"}}"#)?.message.contains("org_window") == true)
        #expect(error(#"{"command":"show"}"#)?.message == #"show needs "message""#)
        #expect(error(#"{"command":"retry","params":{"message":1,"failed":true}}"#)?.code == .badRequest)
        #expect(error(#"{"command":"cancel","params":{"org":"acme"}}"#)?.code == .badRequest)
        #expect(error(#"{"command":"pause"}"#)?.code == .badRequest)
        #expect(error(#"{"command":"backup","params":{"path":"relative.db"}}"#)?.message.contains("absolute") == true)
        #expect(error(#"{"command":"backup","params":{"path":"/b.db","force":"yes"}}"#)?.message.contains("force") == true)
        #expect(error(#"{"command":"status","params":[1]}"#)?.message.contains("params") == true)
        #expect(error(#"{"command":"status","params":{"verbose":true}}"#)?.message.contains("takes no params") == true)
    }

    @Test("a protocol 1 line, fields beside the command, is refused with the way to write it now")
    func firstProtocolLine() {
        let refused = error(#"{"id":1,"command":"show","message":7}"#)
        #expect(refused?.code == .badRequest)
        #expect(refused?.message.contains("\"params\"") == true, "\(String(describing: refused))")
    }

    @Test("backup's force is read as false when absent")
    func backupForce() throws {
        #expect(try AdminLines.decode(Admin.backup, #"{"command":"backup","params":{"path":"/b.db"}}"#) == BackupRequest(path: "/b.db", force: false))
    }

    @Test("a refused line that is a JSON object keeps its id")
    func refusalKeepsID() {
        guard case let .failure(refusal) = AdminEnvelope.decode(Array(#"{"id":77,"command":"nope"}"#.utf8)) else {
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
        #expect(Admin.status.changesState(NoParameters()) == false)
        #expect(Admin.watch.changesState(NoParameters()) == false)
        #expect(Admin.cancel.changesState(CancelRequest(.message(1))))
        #expect(Admin.send.changesState(SendRequest(org: "a", from: "b", to: "c", text: "d")))
        #expect(!Admin.contactsImport.changesState(ContactsImportChunk(org: "a", csv: "", more: false, dryRun: true)), "a dry run only reads")
        #expect(Admin.contactsImport.changesState(ContactsImportChunk(org: "a", csv: "", more: false)))
    }

    @Test("every command is declared once, under its own name")
    func declarations() {
        #expect(Set(Admin.names).count == Admin.names.count)
        #expect(Admin.names.count == 38)
    }

    @Test("typed results keep the JSON shapes scripts read: states as their names")
    func typedStates() throws {
        let why = WhyResult(id: 1, state: .awaitingConsent, heldReason: .recipientQuietHours, mayGoAt: nil, explanation: "x")
        let json = String(decoding: try AdminJSON.encoder().encode(why), as: UTF8.self)
        #expect(json == #"{"explanation":"x","held_reason":"recipient_quiet_hours","id":1,"state":"awaiting_consent"}"#)
    }
}
