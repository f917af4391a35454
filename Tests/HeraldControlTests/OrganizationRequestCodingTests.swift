import Foundation
import HeraldControl
import Testing

@Suite("Organization, user, template and credits request lines")
struct OrganizationRequestCodingTests {
    private func error(_ text: String) -> AdminError? { AdminLines.error(text) }

    private func same<P, R>(_ call: AdminCall<P, R>) throws {
        let (id, parameters) = try AdminLines.roundTrip(call, id: .number(3))
        #expect(id == .number(3))
        #expect(parameters == call.parameters, "\(call.command.name)")
    }

    @Test("every command survives a round trip through its line")
    func roundTrips() throws {
        try same(Admin.orgCreate(OrganizationRequest(org: "west", OrganizationFields(
            name: "Acme West", timezone: "America/Denver", windowStart: "10:00", windowEnd: "19:00", weekdays: "mon,tue",
            smartEncoding: true, helpText: "{org_name}: call us"))))
        try same(Admin.orgSet(OrganizationRequest(org: "west", OrganizationFields(optinTemplate: ""))))
        try same(Admin.orgShow(OrganizationRef("west")))
        try same(Admin.orgList())
        try same(Admin.userAdd(UserFields(org: "west", user: "dana", name: "Dana", cellPhone: "6125550188", email: "d@x.example", signature: "- D")))
        try same(Admin.userSet(UserFields(org: "west", user: "dana", signature: "")))
        try same(Admin.userList(OrganizationRef("west")))
        try same(Admin.templateSet(TemplateRequest(org: "west", template: "reminder", text: "Hi {first_name}")))
        try same(Admin.templateList(OrganizationRef("west")))
        try same(Admin.templateDelete(TemplateRef(org: "west", template: "reminder")))
        try same(Admin.creditsAllocate(CreditsAllocateRequest(org: "west", user: "dana", segments: 0, exactly: true, by: "ops", note: "reset")))
        try same(Admin.creditsAllocate(CreditsAllocateRequest(org: "west", user: "dana", segments: 10)))
        try same(Admin.creditsShow(CreditsShowRequest(org: "west")))
        try same(Admin.creditsShow(CreditsShowRequest(org: "west", user: "dana")))
    }

    @Test("an organization's settings travel flat beside its id")
    func flatSettings() throws {
        let text = try AdminLines.text(Admin.orgSet(OrganizationRequest(org: "west", OrganizationFields(timezone: "America/Denver", smartEncoding: true))))
        #expect(text == #"{"command":"org_set","params":{"org":"west","smart_encoding":true,"timezone":"America/Denver"}}"#)
        #expect(try AdminLines.decode(Admin.orgCreate, #"{"command":"org_create","params":{"org":"west","name":"W","help_text":"h"}}"#)
            == OrganizationRequest(org: "west", OrganizationFields(name: "W", helpText: "h")))
    }

    @Test("incomplete or pointless changes are refused, naming what is missing")
    func refusals() {
        #expect(error(#"{"command":"org_create","params":{"org":"west"}}"#)?.message.contains("name") == true)
        #expect(error(#"{"command":"org_set","params":{"org":"west"}}"#)?.message.contains("at least one") == true)
        #expect(error(#"{"command":"org_set","params":{"org":"west","window":"10-19"}}"#)?.message.contains("window_start") == true)
        #expect(error(#"{"command":"user_set","params":{"org":"west","user":"dana"}}"#)?.code == .badRequest)
        #expect(error(#"{"command":"credits_allocate","params":{"org":"west","user":"dana","segments":-5}}"#)?.code == .badRequest)
        #expect(error(#"{"command":"credits_allocate","params":{"org":"west","user":"dana","segments":0}}"#)?.message.contains("exactly") == true)
        #expect(error(#"{"command":"template_set","params":{"org":"west","template":"t"}}"#)?.message.contains("text") == true)
    }

    @Test("reads are open to the socket's group, changes are not")
    func access() {
        #expect(!Admin.orgList.changesState(NoParameters()) && !Admin.creditsShow.changesState(CreditsShowRequest(org: "a")))
        #expect(Admin.orgSet.changesState(OrganizationRequest(org: "a", OrganizationFields(name: "b"))))
        #expect(Admin.creditsAllocate.changesState(CreditsAllocateRequest(org: "a", user: "b", segments: 1)))
        #expect(Admin.templateDelete.changesState(TemplateRef(org: "a", template: "t")))
    }
}
