import Foundation

extension HeraldConfiguration.Carrier {
    /// Reads the carrier auth token from where `tokenSource` points.
    ///
    /// Done apart from loading, at the moment the daemon needs the token, because `heraldctl
    /// config check` must be able to check a file whose token only the daemon may read.
    public func resolveAuthToken(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> String {
        let key: String
        let path: String
        switch tokenSource {
        case .file(let file):
            key = "carrier.auth_token_file"
            path = file
        case .credential(let name):
            key = "carrier.auth_token_credential"
            guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
                throw .tokenUnavailable(key: key, path: "$CREDENTIALS_DIRECTORY/\(name)", reason: """
                    CREDENTIALS_DIRECTORY is not set; systemd sets it for a unit with LoadCredential=\(name):PATH. \
                    Outside systemd, point carrier.auth_token_file at the token instead
                    """)
            }
            path = directory + "/" + name
        }
        let contents: String
        switch FileReading.text(atPath: path) {
        case .success(let text): contents = text
        case .failure(let failure): throw .tokenUnavailable(key: key, path: path, reason: failure.description)
        }
        // Editors add a final newline; anything else would corrupt the Basic auth header.
        let token = contents.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw .tokenUnavailable(key: key, path: path, reason: "the file is empty")
        }
        guard !token.contains(where: \.isWhitespace) else {
            throw .tokenUnavailable(key: key, path: path, reason: "the token contains whitespace; the file must hold the token alone")
        }
        return token
    }
}

extension HeraldConfiguration {
    /// The carrier auth token; see `Carrier.resolveAuthToken(environment:)`.
    public func resolveAuthToken(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> String {
        try carrier.resolveAuthToken(environment: environment)
    }
}
