import Foundation
import HeraldControl
import Testing

@Suite("Numbers request lines")
struct NumbersRequestCodingTests {
    private func decode(_ text: String) -> Result<AdminRequest, AdminRequest.Refusal> {
        AdminRequest.decode(Array(text.utf8))
    }

    private func error(_ text: String) -> AdminError? {
        if case let .failure(refusal) = decode(text) { return refusal.error }
        return nil
    }

    @Test("every numbers command survives a round trip through its line", arguments: [
        AdminCommand.numbersProvision(NumbersProvisionRequest(org: "acme", users: ["alice", "bob"], areaCode: .matchCellPhone)),
        .numbersProvision(NumbersProvisionRequest(org: "acme", users: ["carol"], areaCode: .given("604"))),
        .numbersRelease(NumbersReleaseRequest(org: "acme", users: ["alice"], confirm: false)),
        .numbersRelease(NumbersReleaseRequest(org: "acme", users: ["alice", "bob"], confirm: true)),
        .numbersList(org: "acme"),
    ])
    func roundTrip(command: AdminCommand) throws {
        let request = AdminRequest(id: .number(3), command)
        #expect(try decode(String(decoding: try request.line().dropLast(), as: UTF8.self)).get() == request)
    }

    @Test("the wire names are the documented ones; release is unconfirmed unless it says so; only list is read-only")
    func wireForm() throws {
        let provision = try decode(#"{"command":"numbers_provision","org":"acme","users":["a","b"],"match_cell_area_code":true}"#).get()
        #expect(provision.command == .numbersProvision(NumbersProvisionRequest(org: "acme", users: ["a", "b"], areaCode: .matchCellPhone)))
        let release = try decode(#"{"command":"numbers_release","org":"acme","users":["a"]}"#).get()
        #expect(release.command == .numbersRelease(NumbersReleaseRequest(org: "acme", users: ["a"], confirm: false)))
        #expect(release.command.changesState && provision.command.changesState)
        #expect(!AdminCommand.numbersList(org: "acme").changesState)
        let line = String(decoding: try AdminRequest(.numbersProvision(NumbersProvisionRequest(org: "o", users: ["u"], areaCode: .given("612")))).line(),
                          as: UTF8.self)
        #expect(line.contains(#""area_code":"612""#) && !line.contains("match_cell"), "\(line)")
    }

    @Test("a provision names exactly one way to pick the area code, of three digits; users are required")
    func refusals() {
        #expect(error(#"{"command":"numbers_provision","org":"acme","users":["a"]}"#)?.message.contains("either") == true)
        #expect(error(#"{"command":"numbers_provision","org":"acme","users":["a"],"area_code":"612","match_cell_area_code":true}"#)?.code == .badRequest)
        #expect(error(#"{"command":"numbers_provision","org":"acme","users":["a"],"area_code":"61"}"#)?.message.contains("three digits") == true)
        #expect(error(#"{"command":"numbers_provision","org":"acme","users":["a"],"area_code":"６１２"}"#)?.code == .badRequest)
        #expect(error(#"{"command":"numbers_release","org":"acme","users":[]}"#)?.message.contains("users") == true)
        #expect(error(#"{"command":"numbers_release","org":"acme","users":"alice"}"#)?.code == .badRequest)
        #expect(error(#"{"command":"numbers_list"}"#)?.message == "numbers_list needs \"org\"")
        #expect(error(#"{"command":"numbers_list","org":"acme","confirm":true}"#)?.message.contains("does not take confirm") == true)
    }
}
