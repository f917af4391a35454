import Foundation

/// A password named in the TOML by `<section>.password_file` or `<section>.password_credential`,
/// read the same way for every section (SMTP, PostgreSQL). Read when the daemon starts, as the
/// carrier token is, so `heraldctl config check` can check a file whose secrets only the daemon
/// may read.
struct PasswordFile {
    /// Why it could not be read, for the section's own error case.
    struct Unavailable: Error {
        let key: String
        let path: String
        let reason: String
    }

    static func read(
        _ source: HeraldConfiguration.TokenSource, section: String, environment: [String: String]
    ) throws(Unavailable) -> String {
        let key: String
        let path: String
        switch source {
        case .file(let file):
            key = "\(section).password_file"
            path = file
        case .credential(let name):
            key = "\(section).password_credential"
            guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
                throw Unavailable(key: key, path: "$CREDENTIALS_DIRECTORY/\(name)", reason: """
                    CREDENTIALS_DIRECTORY is not set; systemd sets it for a unit with LoadCredential=\(name):PATH. \
                    Outside systemd, point \(section).password_file at the password instead
                    """)
            }
            path = directory + "/" + name
        }
        let contents: String
        switch FileReading.text(atPath: path) {
        case .success(let text): contents = text
        case .failure(let failure): throw Unavailable(key: key, path: path, reason: failure.description)
        }
        // Only the line break an editor adds goes: a password may begin or end with a space.
        var password = Substring(contents)
        while let last = password.last, last.isNewline { password.removeLast() }
        guard !password.isEmpty else { throw Unavailable(key: key, path: path, reason: "the file is empty") }
        guard !password.contains(where: \.isNewline) else {
            throw Unavailable(key: key, path: path, reason: "the file holds more than one line; it must hold the password alone")
        }
        return String(password)
    }
}
