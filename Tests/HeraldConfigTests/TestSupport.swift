import Foundation
import Testing

@testable import HeraldConfig

/// The smallest file that parses: everything else has a default.
let minimalTOML = """
    [carrier]
    account_sid = "ACtest"

    """

/// Where the checkout's shipped files are; tests run from the repository, so the test
/// source's own path leads to them.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()

func parse(_ toml: String, baseDirectory: String = "/etc/herald", environment: [String: String] = [:]) throws(ConfigurationError) -> HeraldConfiguration {
    try HeraldConfiguration.parse(toml: toml, baseDirectory: baseDirectory, environment: environment)
}

/// The problems `toml` has, one description per problem; empty when it parses.
func problems(_ toml: String, environment: [String: String] = [:]) -> [String] {
    do {
        _ = try parse(toml, environment: environment)
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

/// A fresh directory under the system temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("herald-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func write(_ text: String, to url: URL) throws {
    try Data(text.utf8).write(to: url)
}
