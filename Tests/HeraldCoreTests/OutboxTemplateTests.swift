import Foundation
@testable import HeraldCore
import Testing

@Suite("Templates and signatures in outbox rows")
struct OutboxTemplateTests {
    private let now = Date(timeIntervalSince1970: 1_790_000_000)

    private func directory(signature: String? = nil) -> Directory {
        Directory(
            organizations: [OrganizationProfile(id: "acme", name: "Acme Dental", timeZone: "America/Chicago", templates: [
                "reminder": MessageTemplate("Hi {first_name}, {user_name} at {org_name} sees you {day}."),
                "plain": MessageTemplate("See you soon."),
            ])],
            senders: [SenderProfile(orgID: "acme", userID: "alice", number: "+16125550100", rate: 1, name: "Alice", signature: signature)]
        )
    }

    private func evaluate(
        body: String? = nil, template: String?, variables: String? = nil, recipient: [String: String] = [:], kind: String = "conversational",
        signature: String? = nil
    ) -> Result<ValidatedSubmission, RejectionReason> {
        let row = OutboxSubmission(id: 1, org: "acme", sender: "alice", toNumber: "+16125550123", body: body, kind: kind,
                                   template: template, variables: variables, recipientFields: recipient)
        return IngestRules(windows: nil).evaluate(row, directory: directory(signature: signature), now: now)
    }

    @Test("variables from the row, the contact record and Herald fill the template")
    func renders() throws {
        let message = try evaluate(template: "reminder", variables: #"{"day":"Tuesday"}"#, recipient: ["first_name": "Ana"]).get()
        #expect(message.body == "Hi Ana, Alice at Acme Dental sees you Tuesday.")
        let overridden = try evaluate(template: "reminder", variables: #"{"day":"Monday","first_name":"Dr. Ana"}"#, recipient: ["first_name": "Ana"]).get()
        #expect(overridden.body == "Hi Dr. Ana, Alice at Acme Dental sees you Monday.", "the producer's value wins")
        let numbers = try evaluate(template: "reminder", variables: #"{"day":3,"first_name":"Ana"}"#).get()
        #expect(numbers.body.contains("sees you 3."))
    }

    @Test("a variable nobody supplies rejects the row, naming it; never a blank")
    func missingVariable() {
        let result = evaluate(template: "reminder", variables: #"{"first_name":"Ana"}"#)
        #expect(result == .failure(.templateVariableMissing(template: "reminder", variable: "day")))
        guard case let .failure(reason) = result else { return }
        #expect(reason.code == "template_variable_missing")
        #expect(reason.description.contains("{day}"))
        // An empty first name on the contact record is no first name.
        #expect(evaluate(template: "reminder", variables: #"{"day":"Monday"}"#, recipient: ["first_name": ""])
            == .failure(.templateVariableMissing(template: "reminder", variable: "first_name")))
    }

    @Test("unknown template, bad variables, body and template both: rejected with their reason")
    func badRows() {
        #expect(evaluate(template: "nope") == .failure(.unknownTemplate(org: "acme", template: "nope")))
        #expect((try? evaluate(template: "plain", variables: "[1,2]").get()) == nil)
        if case let .failure(reason) = evaluate(template: "plain", variables: #"{"flag":true}"#) {
            #expect(reason.code == "bad_variables")
            #expect(reason.description.contains("flag"))
        } else {
            Issue.record("a boolean variable is refused")
        }
        #expect(evaluate(body: "Hello", template: "plain") == .failure(.bodyAndTemplate))
        #expect(evaluate(template: nil, variables: #"{"a":"b"}"#) == .failure(.missingField("body")))
    }

    @Test("the signature is appended to conversational, journey and bulk texts and counted in segments")
    func signature() throws {
        let body = String(repeating: "a", count: 150)
        let unsigned = try evaluate(body: body, template: nil).get()
        #expect(unsigned.segments == 1)
        for kind in ["conversational", "journey", "bulk"] {
            let signed = try evaluate(body: body, template: nil, kind: kind, signature: "- Alice, Acme Dental").get()
            #expect(signed.body == body + "\n- Alice, Acme Dental")
            #expect(signed.segments == 2, "150 + 21 characters is two GSM-7 segments")
        }
        let request = try evaluate(body: "Reply YES to get texts from Acme", template: nil, kind: "opt_in_request", signature: "- Alice").get()
        #expect(!request.body.contains("- Alice"), "opt-in requests stay as worded")
        let templated = try evaluate(template: "plain", signature: "- Alice").get()
        #expect(templated.body == "See you soon.\n- Alice")
    }
}

@Suite("Organization and user settings")
struct OrganizationSettingsTests {
    @Test("every invalid setting is named")
    func problems() {
        func problem(_ settings: OrganizationSettings) -> String? {
            do { _ = try settings.validate(); return nil } catch { return error.description }
        }
        #expect(problem(OrganizationSettings(name: "Acme")) == nil)
        #expect(problem(OrganizationSettings(name: "Acme", timeZone: "Mars/Olympus"))?.contains("Mars/Olympus") == true)
        #expect(problem(OrganizationSettings(name: "Acme", timeZone: "CST"))?.contains("abbreviations") == true)
        #expect(problem(OrganizationSettings(name: "Acme", windowStart: "25:00"))?.contains("window_start") == true)
        #expect(problem(OrganizationSettings(name: "Acme", windowStart: "09:00", windowEnd: "09:00"))?.contains("empty") == true)
        #expect(problem(OrganizationSettings(name: "Acme", weekdays: "mon,funday"))?.contains("weekdays") == true)
        #expect(problem(OrganizationSettings(name: "Acme", texts: [.help: "Call {phone}"]))?.contains("{phone}") == true)
        #expect(problem(OrganizationSettings(name: "Acme", texts: [.help: "Call {org_name"]))?.contains("never closed") == true)
        #expect(problem(OrganizationSettings(name: " ")) == "name is empty")
    }

    @Test("user settings: cell phone to E.164, email shape, signature length")
    func users() throws {
        let user = try UserSettings(name: "Alice", cellPhone: "(612) 555-0188", email: "alice@acme.example", signature: " - Alice ").validated()
        #expect(user.cellPhone == "+16125550188")
        #expect(user.signature == "- Alice")
        #expect(throws: UserSettings.Problem.self) { try UserSettings(name: "A", cellPhone: "+1 876 555 0100").validated() }
        #expect(throws: UserSettings.Problem.email("alice at acme")) { try UserSettings(name: "A", email: "alice at acme").validated() }
        #expect(throws: UserSettings.Problem.signatureTooLong(61)) {
            try UserSettings(name: "A", signature: String(repeating: "x", count: 61)).validated()
        }
        let cleared = try UserSettings(name: "A", cellPhone: "", email: "", signature: "").validated()
        #expect(cleared.cellPhone == nil && cleared.email == nil && cleared.signature == nil)
    }

    @Test("changes apply over the current settings; empty texts go back to the standard wording")
    func changes() {
        let current = OrganizationSettings(name: "Acme", weekdays: "mon,tue", texts: [.help: "Call us"])
        let changed = OrganizationChanges(windowEnd: "19:00", weekdays: "all", texts: [.help: ""]).applied(to: current)
        #expect(changed.windowEnd == "19:00" && changed.weekdays == nil && changed.texts[.help] == nil && changed.name == "Acme")
        #expect(AdminIdentifier.problem("acme-west", what: "organization") == nil)
        #expect(AdminIdentifier.problem("Acme West", what: "organization") != nil)
    }
}
