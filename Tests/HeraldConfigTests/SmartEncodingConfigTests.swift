import Testing

@testable import HeraldConfig

@Suite("orgs[].smart_encoding")
struct SmartEncodingConfigTests {
    static let org = """
        [[orgs]]
        id = "acme"

        """

    @Test("defaults to false and reads a boolean")
    func reads() throws {
        #expect(try parse(minimalTOML + Self.org).orgs[0].smartEncoding == false)
        #expect(try parse(minimalTOML + Self.org + "smart_encoding = true\n").orgs[0].smartEncoding == true)
    }

    @Test("a non-boolean names the key")
    func wrongType() {
        let found = problems(minimalTOML + Self.org + "smart_encoding = \"yes\"\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("orgs[0].smart_encoding") == true, "\(found)")
    }
}
