import Foundation
import HeraldControl
import Testing

@Suite("Consent and contacts request lines")
struct ConsentRequestCodingTests {
    private func error(_ text: String) -> AdminError? { AdminLines.error(text) }

    @Test("every consent command survives a round trip through its line")
    func roundTrips() throws {
        func same<P, R>(_ call: AdminCall<P, R>) throws {
            let (id, parameters) = try AdminLines.roundTrip(call, id: .text("c-1"))
            #expect(id == .text("c-1"))
            #expect(parameters == call.parameters, "\(call.command.name)")
        }
        try same(Admin.contactsImport(ContactsImportChunk(org: "acme", csv: "first_name,phone\nZoë,\"612, 555\"\r\n", more: true, by: "alice", dryRun: false)))
        try same(Admin.contactsImport(ContactsImportChunk(org: "acme", csv: "", more: false, by: nil, dryRun: true)))
        try same(Admin.consentShow(ConsentShowRequest(org: "acme", number: "(612) 555-0123")))
        try same(Admin.consentSet(ConsentSetRequest(org: "acme", number: "6125550123", state: "opted_in", type: "paper", by: "alice",
                                                    wording: "Signup form v3", note: "scanned")))
        try same(Admin.consentSet(ConsentSetRequest(org: "acme", number: "+16125550123", state: "opted_out", type: "phone", by: "bob")))
        try same(Admin.optInRequest(OptInRequestCommand(org: "acme", user: "alice", to: "612.555.0123")))
    }

    @Test("the wire names and defaults are the documented ones")
    func wireForm() throws {
        let piece = try AdminLines.decode(Admin.contactsImport, #"{"command":"contacts_import","params":{"org":"acme","csv":"a,b\n"}}"#)
        #expect(piece == ContactsImportChunk(org: "acme", csv: "a,b\n", more: false, by: nil, dryRun: false))
        let dry = try AdminLines.decode(Admin.contactsImport, #"{"command":"contacts_import","params":{"org":"acme","csv":"","more":true,"by":"al","dry_run":true}}"#)
        #expect(dry == ContactsImportChunk(org: "acme", csv: "", more: true, by: "al", dryRun: true))
        let line = try AdminLines.text(Admin.contactsImport(ContactsImportChunk(org: "a", csv: "x", more: true, dryRun: true)))
        #expect(line.contains(#""dry_run":true"#) && line.contains(#""more":true"#), "\(line)")
    }

    @Test("consent_set refuses what the ledger must not hold, naming the field")
    func consentSetRefusals() {
        let base = #""command":"consent_set","params":{"org":"acme","number":"6125550123""#
        let reserved = error("{\(base),\"state\":\"opted_in\",\"type\":\"sms_response\",\"by\":\"alice\"}}")
        #expect(reserved?.code == .badRequest)
        #expect(reserved?.message.contains("reserved for the contact's own replies") == true, "\(String(describing: reserved))")
        #expect(error("{\(base),\"state\":\"unknown\",\"type\":\"paper\",\"by\":\"alice\"}}")?.message.contains("opted_in or opted_out") == true)
        #expect(error("{\(base),\"state\":\"opted_in\",\"type\":\"fax\",\"by\":\"alice\"}}")?.message.contains("fax") == true)
        #expect(error("{\(base),\"state\":\"opted_in\",\"type\":\"paper\"}}")?.message.contains("\"by\"") == true)
        #expect(error("{\(base),\"state\":\"opted_in\",\"type\":\"paper\",\"by\":\"  \"}}")?.code == .badRequest)
        #expect(error("{\(base),\"state\":\"opted_in\",\"type\":\"paper\",\"by\":\"al\"}}") == nil, "the base line is a good one")
        #expect(error(#"{"command":"consent_show","params":{"org":"acme"}}"#)?.message.contains("number") == true)
        #expect(error(#"{"command":"optin_request","params":{"org":"acme","user":"alice"}}"#)?.message.contains("to") == true)
        #expect(error(#"{"command":"contacts_import","params":{"org":"acme"}}"#)?.message.contains("csv") == true)
        #expect(error(#"{"command":"contacts_import","params":{"org":"acme","csv":"","file":"x.csv"}}"#)?.message.contains("file") == true)
    }

    @Test("only a dry run of an import and consent_show are read-only")
    func access() {
        #expect(Admin.consentShow.changesState(ConsentShowRequest(org: "a", number: "b")) == false)
        #expect(Admin.contactsImport.changesState(ContactsImportChunk(org: "a", csv: "", more: false, dryRun: true)) == false)
        #expect(Admin.contactsImport.changesState(ContactsImportChunk(org: "a", csv: "", more: false)))
        #expect(Admin.consentSet.changesState(ConsentSetRequest(org: "a", number: "b", state: "opted_in", type: "api", by: "c")))
        #expect(Admin.optInRequest.changesState(OptInRequestCommand(org: "a", user: "b", to: "c")))
    }

    @Test("a file is cut into pieces whose lines fit, between scalars, and they add up to the file", arguments: [
        // Plain, multi-byte (2, 3 and 4 bytes) near every cut, and text that escapes to 2× and 6× its size.
        String(repeating: "Ada,Lovelace,ada@example.com,6125550123\n", count: 4000),
        String(repeating: "Zoë,Ñúñez,日本,🙂🙂\r\n", count: 9000),
        String(repeating: "\"", count: 200_000),
        String(repeating: "\u{1}", count: 100_000),
    ])
    func pieces(file: String) throws {
        let pieces = try ContactsImportChunk.pieces(of: file, org: "acme", by: "alice", dryRun: false)
        #expect(pieces.count > 1)
        #expect(pieces.dropLast().allSatisfy(\.more) && pieces.last?.more == false)
        #expect(pieces.map(\.csv).joined() == file)
        #expect(pieces.map { $0.csv.utf8.count }.reduce(0, +) == file.utf8.count, "no byte lost or replaced at a cut")
        for piece in pieces {
            let line = try Admin.contactsImport(piece).line(id: .number(99))
            #expect(line.count - 1 <= AdminProtocol.maxLineBytes)
            #expect(piece.csv.utf8.count <= ContactsImportChunk.chunkBytes)
        }
    }

    @Test("an empty file is one last piece")
    func emptyFile() throws {
        #expect(try ContactsImportChunk.pieces(of: "", org: "acme", by: nil, dryRun: true)
            == [ContactsImportChunk(org: "acme", csv: "", more: false, by: nil, dryRun: true)])
    }

    @Test("results decode from the documented JSON")
    func results() throws {
        let answer = try AdminJSON.decoder().decode(AdminResponse<OptInRequestAnswer>.self, from: Data("""
            {"id":1,"ok":true,"result":{"org":"acme","user":"alice","to":"+16125550123","refused":{"code":"optin_spacing",\
            "reason":"too soon","next_allowed":"2027-01-15T20:00:00Z"}}}
            """.utf8)).get()
        #expect(answer.messageID == nil)
        #expect(answer.refused?.code == "optin_spacing")
        #expect(answer.refused?.nextAllowed == Date(timeIntervalSince1970: 1_800_043_200))
        let entry = ConsentLedgerEntry(id: 3, at: Date(timeIntervalSince1970: 1_800_000_000), old: "unknown", new: "opted_in", type: "paper",
                                       changedBy: "alice", sourceMessageID: 7, sourceInboundID: nil, wording: "v3", note: nil)
        let json = String(decoding: try AdminJSON.encoder().encode(entry), as: UTF8.self)
        #expect(json.contains(#""source_message_id":7"#) && json.contains(#""changed_by":"alice""#), "\(json)")
        #expect(try AdminJSON.decoder().decode(ConsentLedgerEntry.self, from: Data(json.utf8)) == entry)
        let set = ConsentSetResult(org: "acme", number: "+16125550123", old: "unknown", new: "opted_in", changed: true, ledgerID: 4,
                                   canceled: [], released: [9])
        let setJSON = try AdminJSON.encoder().encode(set)
        #expect(String(decoding: setJSON, as: UTF8.self).contains(#""ledger_id":4"#))
        #expect(try AdminJSON.decoder().decode(ConsentSetResult.self, from: setJSON) == set)
    }
}
