import Foundation
import Testing

@testable import HeraldConfig

@Suite("Carrier auth token")
struct AuthTokenTests {
    @Test("from a file named relative to the configuration file, trimmed")
    func fromFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("secrets"), withIntermediateDirectories: true)
        try write("  s3cret-token\n\n", to: directory.appendingPathComponent("secrets/token"))
        let file = directory.appendingPathComponent("herald.toml")
        try write(minimalTOML + "auth_token_file = \"secrets/token\"\n", to: file)

        let configuration = try HeraldConfiguration.load(path: file.path, environment: [:])
        #expect(configuration.carrier.tokenSource == .file(path: directory.path + "/secrets/token"))
        #expect(try configuration.resolveAuthToken(environment: [:]) == "s3cret-token")
    }

    @Test("from the systemd credentials directory")
    func fromCredential() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try write("cred-token\n", to: directory.appendingPathComponent("carrier-token"))
        let configuration = try parse(minimalTOML)
        #expect(try configuration.resolveAuthToken(environment: ["CREDENTIALS_DIRECTORY": directory.path]) == "cred-token")
    }

    @Test("a credential without $CREDENTIALS_DIRECTORY says how to fix it")
    func credentialOutsideSystemd() throws {
        let configuration = try parse(minimalTOML)
        let error = try #require(throws: ConfigurationError.self) { try configuration.resolveAuthToken(environment: [:]) }
        #expect(error.key == "carrier.auth_token_credential")
        #expect(error.description.hasPrefix("carrier.auth_token_credential: cannot use auth token from $CREDENTIALS_DIRECTORY/carrier-token: CREDENTIALS_DIRECTORY is not set"))
        #expect(error.description.contains("carrier.auth_token_file"))
    }

    @Test("a missing, empty or malformed token file is named")
    func unusableFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing").path
        let empty = directory.appendingPathComponent("empty").path
        let twoLines = directory.appendingPathComponent("two-lines").path
        try write(" \n", to: URL(fileURLWithPath: empty))
        try write("abc\ndef\n", to: URL(fileURLWithPath: twoLines))

        func carrier(_ path: String) -> HeraldConfiguration.Carrier {
            .init(accountSID: "AC1", tokenSource: .file(path: path))
        }
        #expect(throws: ConfigurationError.tokenUnavailable(key: "carrier.auth_token_file", path: missing, reason: "No such file or directory")) {
            try carrier(missing).resolveAuthToken(environment: [:])
        }
        #expect(throws: ConfigurationError.tokenUnavailable(key: "carrier.auth_token_file", path: empty, reason: "the file is empty")) {
            try carrier(empty).resolveAuthToken(environment: [:])
        }
        #expect(throws: ConfigurationError.tokenUnavailable(
            key: "carrier.auth_token_file", path: twoLines, reason: "the token contains whitespace; the file must hold the token alone"
        )) {
            try carrier(twoLines).resolveAuthToken(environment: [:])
        }
        let missingCredential = HeraldConfiguration.Carrier(accountSID: "AC1", tokenSource: .credential(name: "nope"))
        #expect(throws: ConfigurationError.tokenUnavailable(
            key: "carrier.auth_token_credential", path: directory.path + "/nope", reason: "No such file or directory"
        )) {
            try missingCredential.resolveAuthToken(environment: ["CREDENTIALS_DIRECTORY": directory.path])
        }
    }
}
