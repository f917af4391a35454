import HeraldCore
import Testing

@Suite("Message templates and the consent gate")
struct MessageTemplateTests {
    @Test func rendersVariablesAndKeepsOtherBracesLiteral() throws {
        let template = MessageTemplate("{org_name}: hi {user_name}! {not a var} {} }")
        #expect(try template.variables() == ["org_name", "user_name"])
        #expect(try template.render(["org_name": "Acme", "user_name": "Alice"]) == "Acme: hi Alice! {not a var} {} }")
    }

    @Test func aMissingValueIsAnErrorNotABlank() {
        #expect(throws: MessageTemplate.Problem.missingVariable("user_name")) {
            try MessageTemplate("{org_name} {user_name}").render(["org_name": "Acme"])
        }
        #expect(throws: MessageTemplate.Problem.unknownVariable("first_name", allowed: ConsentTexts.variables)) {
            try MessageTemplate("Hi {first_name}").validate(allowed: ConsentTexts.variables)
        }
        #expect(throws: MessageTemplate.Problem.unclosedBrace(at: 5)) { try MessageTemplate("Hi   {org_name").variables() }
    }

    @Test func standardTextsUseOnlyTheirVariables() throws {
        for purpose in ConsentTexts.Purpose.allCases {
            try ConsentTexts.standard.template(for: purpose).validate(allowed: ConsentTexts.variables)
            let text = try ConsentTexts.standard.render(purpose, orgName: "Acme", userName: "Alice")
            #expect(!text.contains("{"))
            #expect(Segmenter().segment(text).encoding == .gsm7, "\(purpose): \(text)")
        }
        // The words carriers look for.
        #expect(ConsentTexts.standard.optInRequest.text.contains("Reply YES"))
        #expect(ConsentTexts.standard.optInConfirmation.text.contains("Reply HELP for help. To unsubscribe, reply STOP"))
    }

    @Test("the consent gate: what each kind does with each consent state", arguments: MessageKind.allCases)
    func gate(kind: MessageKind) {
        for consent in ConsentState.allCases {
            let verdict = ConsentGate.verdict(kind: kind, consent: consent)
            switch (kind, consent) {
            case (.optInRequest, _), (.system, _), (_, .optedIn): #expect(verdict == .proceed)
            case (.journey, .unknown): #expect(verdict == .awaitConsent)
            default: #expect(verdict == .refuse(consent))
            }
        }
    }
}
