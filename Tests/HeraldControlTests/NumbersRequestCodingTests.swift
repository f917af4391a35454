import Foundation
import HeraldControl
import Testing

@Suite("Numbers request lines")
struct NumbersRequestCodingTests {
    private func error(_ text: String) -> AdminError? { AdminLines.error(text) }

    private func same<P, R>(_ call: AdminCall<P, R>) throws {
        let (id, parameters) = try AdminLines.roundTrip(call, id: .number(3))
        #expect(id == .number(3))
        #expect(parameters == call.parameters, "\(call.command.name)")
    }

    @Test("every numbers command survives a round trip through its line")
    func roundTrips() throws {
        try same(Admin.numbersProvision(NumbersProvisionRequest(org: "acme", users: ["alice", "bob"], areaCode: .matchCellPhone)))
        try same(Admin.numbersProvision(NumbersProvisionRequest(org: "acme", users: ["carol"], areaCode: .given("604"))))
        try same(Admin.numbersRelease(NumbersReleaseRequest(org: "acme", users: ["alice"], confirm: false)))
        try same(Admin.numbersRelease(NumbersReleaseRequest(org: "acme", users: ["alice", "bob"], confirm: true)))
        try same(Admin.numbersList(OrganizationRef("acme")))
    }

    @Test("the wire names are the documented ones; release is unconfirmed unless it says so; only list is read-only")
    func wireForm() throws {
        let provision = try AdminLines.decode(Admin.numbersProvision, #"{"command":"numbers_provision","params":{"org":"acme","users":["a","b"],"match_cell_area_code":true}}"#)
        #expect(provision == NumbersProvisionRequest(org: "acme", users: ["a", "b"], areaCode: .matchCellPhone))
        let release = try AdminLines.decode(Admin.numbersRelease, #"{"command":"numbers_release","params":{"org":"acme","users":["a"]}}"#)
        #expect(release == NumbersReleaseRequest(org: "acme", users: ["a"], confirm: false))
        #expect(Admin.numbersRelease.changesState(release) && Admin.numbersProvision.changesState(provision))
        #expect(!Admin.numbersList.changesState(OrganizationRef("acme")))
        let line = try AdminLines.text(Admin.numbersProvision(NumbersProvisionRequest(org: "o", users: ["u"], areaCode: .given("612"))))
        #expect(line.contains(#""area_code":"612""#) && !line.contains("match_cell"), "\(line)")
    }

    @Test("a provision names exactly one way to pick the area code, of three digits; users are required")
    func refusals() {
        #expect(error(#"{"command":"numbers_provision","params":{"org":"acme","users":["a"]}}"#)?.message.contains("either") == true)
        #expect(error(#"{"command":"numbers_provision","params":{"org":"acme","users":["a"],"area_code":"612","match_cell_area_code":true}}"#)?.code == .badRequest)
        #expect(error(#"{"command":"numbers_provision","params":{"org":"acme","users":["a"],"area_code":"61"}}"#)?.message.contains("three digits") == true)
        #expect(error(#"{"command":"numbers_provision","params":{"org":"acme","users":["a"],"area_code":"６１２"}}"#)?.code == .badRequest)
        #expect(error(#"{"command":"numbers_release","params":{"org":"acme","users":[]}}"#)?.message.contains("users") == true)
        #expect(error(#"{"command":"numbers_release","params":{"org":"acme","users":"alice"}}"#)?.code == .badRequest)
        #expect(error(#"{"command":"numbers_list"}"#)?.message == "numbers_list needs \"org\"")
        #expect(error(#"{"command":"numbers_list","params":{"org":"acme","confirm":true}}"#)?.message.contains("does not take confirm") == true)
    }
}
