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
        do throws(PasswordFile.Unavailable) {
            return try PasswordFile.read(passwordSource, section: "email", environment: environment)
        } catch {
            throw .passwordUnavailable(key: error.key, path: error.path, reason: error.reason)
        }
    }
}
