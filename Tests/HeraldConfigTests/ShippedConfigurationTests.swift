import HeraldCore
import Foundation
import Testing

@testable import HeraldConfig

@Suite("Shipped configuration files")
struct ShippedConfigurationTests {
    let production = repositoryRoot.appendingPathComponent("etc/herald/herald.toml")
    let development = repositoryRoot.appendingPathComponent("etc/herald/herald.dev.toml")

    func productionText() throws -> String {
        try String(contentsOf: production, encoding: .utf8)
    }

    @Test("herald.toml as shipped fails only for want of an account SID")
    func productionNeedsOnlyAccountSID() throws {
        #expect(throws: ConfigurationError.badValue(key: "carrier.account_sid", problem: "must not be empty")) {
            try HeraldConfiguration.load(path: production.path, environment: [:])
        }
    }

    @Test("herald.toml states every default the code applies")
    func productionStatesTheDefaults() throws {
        let text = try productionText().replacingOccurrences(of: #"account_sid = """#, with: #"account_sid = "ACtest""#)
        let shipped = try parse(text)
        let defaults = try parse(minimalTOML)
        #expect(shipped == defaults)
        #expect(shipped.carrier.tokenSource == .credential(name: "carrier-token"))
        #expect(shipped.orgs.isEmpty)
    }

    @Test("the commented-out organization example in herald.toml is valid")
    func productionExampleOrganization() throws {
        // Settings are commented with "#" alone, explanations with "# ": uncomment the settings
        // from the [[orgs]] example on.
        var lines = try productionText().replacingOccurrences(of: #"account_sid = """#, with: #"account_sid = "ACtest""#)
            .components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "#[[orgs]]"))
        for index in start..<lines.count where lines[index].hasPrefix("#") && !lines[index].hasPrefix("# ") && lines[index] != "#" {
            lines[index].removeFirst()
        }
        let configuration = try parse(lines.joined(separator: "\n"))
        let org = try #require(configuration.orgs.first)
        #expect(org.id == "demo")
        #expect(org.name == "Demo Co")
        #expect(org.timeZone.identifier == "America/Chicago")
        #expect(org.windowStart == TimeOfDay(hour: 8, minute: 0))
        #expect(org.windowEnd == TimeOfDay(hour: 16, minute: 0))
        #expect(org.days == [.mon, .tue, .wed, .thu, .fri])
        #expect(org.users == [.init(id: "alice", name: "Alice Example", number: "+16125550100", numberType: .longCode, rate: 1,
                                    autoReply: AutoReply(text: "Alice is away until Monday; for urgent matters call 612-555-0000."),
                                    cellPhone: "+16125550188", signature: "- Alice, Acme")])
        #expect(org.consentTexts == .standard, "the example spells out the defaults")
    }

    @Test("herald.dev.toml parses, with its paths in the checkout's var/ folder")
    func developmentProfile() throws {
        let configuration = try HeraldConfiguration.load(path: development.path, environment: [:])
        let variable = repositoryRoot.appendingPathComponent("var").standardizedFileURL.path
        #expect(configuration.database.path == variable + "/herald.db")
        #expect(configuration.admin.socket == variable + "/admin.sock")
        #expect(configuration.carrier.tokenSource == .file(path: variable + "/carrier-token"))
        #expect(configuration.carrier.baseURL == "http://127.0.0.1:8089")
        #expect(configuration.carrier.accountSID == "ACsimulator")
        #expect(configuration.webhooks.listenHost == "127.0.0.1")
        #expect(configuration.webhooks.listenPort == 8088)
        #expect(configuration.webhooks.publicURL == "http://127.0.0.1:8088")
        #expect(configuration.rates.longCode == 10)

        let org = try #require(configuration.orgs.first)
        #expect(configuration.orgs.count == 1)
        #expect(org.id == "demo")
        #expect(org.windowStart == TimeOfDay(hour: 0, minute: 0))
        #expect(org.windowEnd == TimeOfDay(hour: 23, minute: 59))
        #expect(org.days.count == 7)
        #expect(org.users.map(\.number) == ["+16125550100", "+16125550101"])
        #expect(configuration.senderProfiles.map(\.rate) == [10, 10])
    }

    @Test("a relative path to herald.dev.toml resolves like the absolute one")
    func developmentProfileFromRelativePath() throws {
        // Climb from the working directory to "/" and back down, instead of changing the
        // working directory, which other tests running in parallel share.
        let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
        let relative = String(repeating: "../", count: depth) + development.path.dropFirst()
        #expect(try HeraldConfiguration.load(path: relative, environment: [:]) == HeraldConfiguration.load(path: development.path, environment: [:]))
    }
}
