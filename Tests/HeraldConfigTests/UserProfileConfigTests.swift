import HeraldCore
import Testing

@testable import HeraldConfig

@Suite("orgs[].users[] cell phone and signature")
struct UserProfileConfigTests {
    static let user = """
        [[orgs]]
        id = "acme"
        [[orgs.users]]
        id = "alice"
        number = "+16125550100"

        """

    @Test("both are optional; the cell phone is kept in E.164")
    func parsed() throws {
        #expect(try parse(minimalTOML + Self.user).orgs[0].users[0].signature == nil)
        let user = try parse(minimalTOML + Self.user + "cell_phone = \"(612) 555-0188\"\nsignature = \"- Alice\"\n").orgs[0].users[0]
        #expect(user.cellPhone == "+16125550188" && user.signature == "- Alice")
    }

    @Test("a bad cell phone or a long signature is a problem naming the key", arguments: [
        ("cell_phone = \"+1 876 555 0100\"", "orgs[0].users[0].cell_phone", "Jamaica"),
        ("signature = \"\(String(repeating: "x", count: 61))\"", "orgs[0].users[0].signature", "at most 60"),
    ])
    func problemsNameTheKey(line: String, key: String, mention: String) {
        let found = problems(minimalTOML + Self.user + line + "\n")
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.hasPrefix(key) == true, "\(found)")
        #expect(found.first?.contains(mention) == true, "\(found)")
    }
}
