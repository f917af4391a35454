import Foundation

extension HeraldConfiguration.Email {
    /// The SMTP password from where `passwordSource` points; nil when the server needs no AUTH.
    ///
    /// Read when the daemon starts, like the carrier token, so `heraldctl config check` can check
    /// a file whose secrets only the daemon may read.
    public func resolvePassword(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> String? {
        guard let passwordSource else { return nil }
        let key: String
        let path: String
        switch passwordSource {
        case .file(let file):
            key = "email.password_file"
            path = file
        case .credential(let name):
            key = "email.password_credential"
            guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
                throw .passwordUnavailable(key: key, path: "$CREDENTIALS_DIRECTORY/\(name)", reason: """
                    CREDENTIALS_DIRECTORY is not set; systemd sets it for a unit with LoadCredential=\(name):PATH. \
                    Outside systemd, point email.password_file at the password instead
                    """)
            }
            path = directory + "/" + name
        }
        let contents: String
        switch FileReading.text(atPath: path) {
        case .success(let text): contents = text
        case .failure(let failure): throw .passwordUnavailable(key: key, path: path, reason: failure.description)
        }
        // Only the line break an editor adds goes: a password may begin or end with a space.
        var password = Substring(contents)
        while let last = password.last, last.isNewline { password.removeLast() }
        guard !password.isEmpty else {
            throw .passwordUnavailable(key: key, path: path, reason: "the file is empty")
        }
        guard !password.contains(where: \.isNewline) else {
            throw .passwordUnavailable(key: key, path: path, reason: "the file holds more than one line; it must hold the password alone")
        }
        return String(password)
    }
}
