import HeraldCore
import Testing

@testable import HeraldConfig

@Suite("orgs[] consent texts")
struct ConsentTextsConfigTests {
    static let org = """
        [[orgs]]
        id = "acme"
        name = "Acme"

        """

    @Test("each text defaults to Herald's standard wording and may be replaced")
    func defaultsAndOverrides() throws {
        #expect(try parse(minimalTOML + Self.org).orgs[0].consentTexts == .standard)
        let custom = try parse(minimalTOML + Self.org + "help_text = \"{org_name} help: call 612-555-0000\"\n").orgs[0].consentTexts
        #expect(custom.help.text == "{org_name} help: call 612-555-0000")
        #expect(custom.optInRequest == ConsentTexts.standard.optInRequest)
        #expect(try custom.render(.help, orgName: "Acme", userName: "Alice") == "Acme help: call 612-555-0000")
    }

    @Test("an unknown variable, an unclosed brace or an empty text is a problem naming the key", arguments: [
        ("optin_template = \"Hi {first_name}, reply YES\"", "orgs[0].optin_template", "{first_name}"),
        ("optin_confirmation = \"Thanks {org_name\"", "orgs[0].optin_confirmation", "never closed"),
        ("optout_confirmation = \"  \"", "orgs[0].optout_confirmation", "empty"),
        ("help_text = 7", "orgs[0].help_text", "string"),
    ])
    func problemsNameTheKey(line: String, key: String, mention: String) {
        let found = problems(minimalTOML + Self.org + line + "\n")
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.hasPrefix(key) == true, "\(found)")
        #expect(found.first?.contains(mention) == true, "\(found)")
    }
}
