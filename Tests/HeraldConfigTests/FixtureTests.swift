import HeraldCore
import Foundation
import Testing

@testable import HeraldConfig

/// Sample files in Fixtures/: every `good-*.toml` loads; every `bad-*.toml` fails with exactly
/// the lines in its `.expected` companion, so the wording operators see is reviewed as text.
@Suite("Fixture files")
struct FixtureTests {
    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

    static func fixtures(_ prefix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".toml") }.sorted()
    }

    @Test("fixtures are present")
    func present() {
        #expect(Self.fixtures("good-").count >= 1)
        #expect(Self.fixtures("bad-").count >= 3)
    }

    @Test("good files load", arguments: fixtures("good-"))
    func good(name: String) throws {
        _ = try HeraldConfiguration.load(path: Self.directory.appendingPathComponent(name).path, environment: [:])
    }

    @Test("bad files fail with the expected lines", arguments: fixtures("bad-"))
    func bad(name: String) throws {
        let path = Self.directory.appendingPathComponent(name).path
        let expected = try String(contentsOfFile: String(path.dropLast(".toml".count)) + ".expected", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let error = try #require(throws: ConfigurationError.self) {
            try HeraldConfiguration.load(path: path, environment: [:])
        }
        let lines = error.description.split(separator: "\n").map(String.init)
            .map { $0.replacingOccurrences(of: path, with: "FILE") }
        #expect(lines == expected)
    }

    @Test("the two-organization sample reads as written")
    func twoOrganizations() throws {
        let configuration = try HeraldConfiguration.load(path: Self.directory.appendingPathComponent("good-two-orgs.toml").path, environment: [:])
        #expect(configuration.carrier.tokenSource == .credential(name: "twilio-token"))
        #expect(configuration.webhooks.listenHost == "0.0.0.0")
        #expect(configuration.orgs.map(\.id) == ["acme", "north"])
        #expect(configuration.orgs[1].windowStart == TimeOfDay(hour: 8, minute: 0))
        #expect(configuration.senderProfiles.map(\.rate) == [1, 3, 0.5])
        #expect(configuration.orgs[0].users[1].numberType == .tollFree)
    }
}
