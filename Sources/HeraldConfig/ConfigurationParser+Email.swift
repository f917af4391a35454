/// `[email]`: the SMTP server replies are forwarded through. Absent means forwarding is off;
/// present means every key is checked like the rest of the file.
extension ConfigurationParser {
    func parseEmail(_ root: TOMLReader) -> HeraldConfiguration.Email? {
        guard root.contains("email") else { return nil }
        let r = root.section("email")
        defer { r.reportUnknownKeys() }
        r.refuse("password", because: """
            the SMTP password is never accepted in the configuration file (it is world-readable and ends up \
            in backups); put it in a file named by email.password_file or in the systemd credential named \
            by email.password_credential
            """)
        let host = parseHost(r)
        let tls = r.choice("tls", default: HeraldConfiguration.TLSMode.starttls)
        let port = parsePort(r, tls: tls ?? .starttls)
        let username = r.string("username", default: "")
        let passwordSource = parsePasswordSource(r, username: username)
        let from = parseAddress(r, "from")
        var fromName = r.string("from_name", default: "Herald")
        if let name = fromName, name.contains(where: { $0.isNewline || $0 == "\"" || $0 == "\\" }) {
            r.badValue("from_name", "\(String(reflecting: name)) must not contain line breaks, quotes or backslashes")
            fromName = nil
        }
        let caFile = parseCAFile(r, tls: tls)
        let defaults = HeraldConfiguration.Email(host: "", from: "")
        let connectTimeout = r.positiveNumber("connect_timeout", default: defaults.connectTimeout)
        let timeout = r.positiveNumber("timeout", default: defaults.timeout)
        let minBackoff = r.positiveNumber("min_backoff", default: defaults.minBackoff)
        let maxBackoff = r.positiveNumber("max_backoff", default: defaults.maxBackoff)
        let maxAttempts = r.positiveInteger("max_attempts", default: defaults.maxAttempts)
        if let minBackoff, let maxBackoff, minBackoff > maxBackoff {
            r.badValue("min_backoff", "\(TOMLReader.format(minBackoff)) is greater than \(r.keyPath("max_backoff")) \(TOMLReader.format(maxBackoff))")
            return nil
        }
        guard let host, let tls, let port, let username, let passwordSource, let from, let fromName, let caFile, let connectTimeout,
              let timeout, let minBackoff, let maxBackoff, let maxAttempts
        else { return nil }
        return .init(
            host: host, port: port, tls: tls, username: username, passwordSource: passwordSource.source, from: from,
            fromName: fromName, caFile: caFile.path, connectTimeout: connectTimeout, timeout: timeout, minBackoff: minBackoff,
            maxBackoff: maxBackoff, maxAttempts: maxAttempts
        )
    }

    /// A host name or IP address, as libcurl would put it in smtp://HOST:PORT.
    private func parseHost(_ r: TOMLReader) -> String? {
        guard var host = r.requiredString("host") else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.contains(where: { $0.isWhitespace || "/@?#[]".contains($0) }) else {
            r.badValue("host", "\(String(reflecting: host)) is not a host name or IP address; the port goes in email.port")
            return nil
        }
        if host.contains(":"), !host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) {
            r.badValue("host", "\(String(reflecting: host)) is not a host name or IP address; the port goes in email.port")
            return nil
        }
        return host
    }

    private func parsePort(_ r: TOMLReader, tls: HeraldConfiguration.TLSMode) -> Int? {
        guard let port = r.integer("port", default: tls.defaultPort) else { return nil }
        guard (1...65_535).contains(port) else {
            r.badValue("port", "must be between 1 and 65535, found \(port)")
            return nil
        }
        return port
    }

    private func parseAddress(_ r: TOMLReader, _ key: String) -> String? {
        guard let address = r.requiredString(key) else { return nil }
        if let problem = EmailAddress.problem(address) {
            r.badValue(key, problem)
            return nil
        }
        return address
    }

    /// Wrapped so that "the system's CAs" differs from "could not tell".
    struct CAFile {
        var path: String?
    }

    private func parseCAFile(_ r: TOMLReader, tls: HeraldConfiguration.TLSMode?) -> CAFile? {
        guard let written = r.string("ca_file", default: "") else { return nil }
        if written.isEmpty { return CAFile(path: nil) }
        guard let path = r.resolvedPath("ca_file", written, resolution: resolution) else { return nil }
        if tls == HeraldConfiguration.TLSMode.none {
            r.badValue("ca_file", "is set but email.tls is \"none\", so no certificate is ever checked; use starttls or tls")
            return nil
        }
        return CAFile(path: path)
    }

    /// Wrapped so that "no password, and none needed" differs from "could not tell".
    struct PasswordSource {
        var source: HeraldConfiguration.TokenSource?
    }

    /// Exactly one of `password_file` and `password_credential` when there is a user name, and
    /// neither without one: a password nobody sends is a mistake the operator wants to hear about.
    private func parsePasswordSource(_ r: TOMLReader, username: String?) -> PasswordSource? {
        let file = r.string("password_file", default: "")
        let credential = r.string("password_credential", default: "")
        guard let username, let file, let credential else { return nil }
        if username.isEmpty {
            for (key, value) in [("password_file", file), ("password_credential", credential)] where !value.isEmpty {
                r.badValue(key, "is set but email.username is empty; set the user name the server expects, or remove \(key)")
                return nil
            }
            return PasswordSource(source: nil)
        }
        switch (file.isEmpty, credential.isEmpty) {
        case (true, true):
            r.badValue("username", """
                is set, so the SMTP password must come from email.password_file or email.password_credential; set one of them
                """)
            return nil
        case (false, false):
            r.badValue("password_file", """
                both password_file and password_credential (\(String(reflecting: credential))) are set; set exactly one
                """)
            return nil
        case (false, true):
            return r.resolvedPath("password_file", file, resolution: resolution).map { PasswordSource(source: .file(path: $0)) }
        case (true, false):
            guard !credential.contains("/"), credential != ".", credential != ".." else {
                r.badValue("password_credential", "\(String(reflecting: credential)) is not a credential name (a file name in $CREDENTIALS_DIRECTORY, without \"/\")")
                return nil
            }
            return PasswordSource(source: .credential(name: credential))
        }
    }
}
