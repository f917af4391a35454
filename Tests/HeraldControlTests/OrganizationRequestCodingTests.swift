import Foundation
import HeraldControl
import Testing

@Suite("Organization, user, template and credits request lines")
struct OrganizationRequestCodingTests {
    private func error(_ text: String) -> AdminError? {
        if case let .failure(refusal) = AdminRequest.decode(Array(text.utf8)) { return refusal.error }
        return nil
    }

    @Test("every command survives a round trip through its line", arguments: [
        AdminCommand.orgCreate(org: "west", OrganizationFields(name: "Acme West", timezone: "America/Denver", windowStart: "10:00", windowEnd: "19:00",
                                                               weekdays: "mon,tue", smartEncoding: true, helpText: "{org_name}: call us")),
        .orgSet(org: "west", OrganizationFields(optinTemplate: "")), .orgShow(org: "west"), .orgList,
        .userAdd(UserFields(org: "west", user: "dana", name: "Dana", cellPhone: "6125550188", email: "d@x.example", signature: "- D")),
        .userSet(UserFields(org: "west", user: "dana", signature: "")), .userList(org: "west"),
        .templateSet(org: "west", template: "reminder", text: "Hi {first_name}"), .templateList(org: "west"),
        .templateDelete(org: "west", template: "reminder"),
        .creditsAllocate(CreditsAllocateRequest(org: "west", user: "dana", segments: 0, exactly: true, by: "ops", note: "reset")),
        .creditsAllocate(CreditsAllocateRequest(org: "west", user: "dana", segments: 10)), .creditsShow(org: "west", user: nil),
        .creditsShow(org: "west", user: "dana"),
    ])
    func roundTrip(command: AdminCommand) throws {
        let request = AdminRequest(id: .number(3), command)
        let line = try request.line()
        #expect(try AdminRequest.decode(line.dropLast()).get() == request)
    }

    @Test("incomplete or pointless changes are refused, naming what is missing")
    func refusals() {
        #expect(error(#"{"command":"org_create","org":"west"}"#)?.message.contains("name") == true)
        #expect(error(#"{"command":"org_set","org":"west"}"#)?.message.contains("at least one") == true)
        #expect(error(#"{"command":"org_set","org":"west","window":"10-19"}"#)?.message.contains("window_start") == true)
        #expect(error(#"{"command":"user_set","org":"west","user":"dana"}"#)?.code == .badRequest)
        #expect(error(#"{"command":"credits_allocate","org":"west","user":"dana","segments":-5}"#)?.code == .badRequest)
        #expect(error(#"{"command":"credits_allocate","org":"west","user":"dana","segments":0}"#)?.message.contains("exactly") == true)
        #expect(error(#"{"command":"template_set","org":"west","template":"t"}"#)?.message.contains("text") == true)
    }

    @Test("reads are open to the socket's group, changes are not")
    func access() {
        #expect(!AdminCommand.orgList.changesState && !AdminCommand.creditsShow(org: "a", user: nil).changesState)
        #expect(AdminCommand.orgSet(org: "a", OrganizationFields(name: "b")).changesState)
        #expect(AdminCommand.creditsAllocate(CreditsAllocateRequest(org: "a", user: "b", segments: 1)).changesState)
        #expect(AdminCommand.templateDelete(org: "a", template: "t").changesState)
    }
}
