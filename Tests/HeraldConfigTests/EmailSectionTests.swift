import Foundation
import Testing

@testable import HeraldConfig

@Suite("Configuration: [email] and per-user forwarding")
struct EmailSectionTests {
    static let user = """
        [[orgs]]
        id = "acme"
        [[orgs.users]]
        id = "alice"
        number = "+16125550100"
        email = "alice@example.com"
        forward_replies = true

        """

    @Test("no [email] section: forwarding is off, and a user asking for it is a warning, not an error")
    func absentSectionWarns() throws {
        let configuration = try parse(minimalTOML + Self.user)
        #expect(configuration.email == nil)
        #expect(configuration.orgs[0].users[0].email == "alice@example.com")
        #expect(configuration.orgs[0].users[0].forwardReplies)
        #expect(configuration.warnings == ["""
            orgs[0].users[0].forward_replies: acme/alice asks for replies by email, but there is no [email] section; \
            replies to +16125550100 are stored and not forwarded until one is added
            """])
        #expect(try parse(minimalTOML + Self.user + "[email]\nhost = \"smtp.example.com\"\nfrom = \"h@example.com\"\n").warnings.isEmpty)
    }

    @Test("defaults: STARTTLS on 587, no AUTH; the port follows the TLS mode")
    func defaults() throws {
        let email = try #require(try parse(minimalTOML + "[email]\nhost = \"smtp.example.com\"\nfrom = \"herald@example.com\"\n").email)
        #expect(email == HeraldConfiguration.Email(host: "smtp.example.com", from: "herald@example.com"))
        #expect(email.port == 587)
        #expect(email.tls == .starttls)
        #expect(email.username == "")
        #expect(email.passwordSource == nil)
        #expect(email.fromName == "Herald")
        #expect(email.retryPolicy.maxAttempts == 10)
        #expect(email.retryPolicy.minimumBackoff == 30)
        let smtps = try parse(minimalTOML + "[email]\nhost = \"smtp.example.com\"\nfrom = \"h@example.com\"\ntls = \"tls\"\n")
        #expect(smtps.email?.port == 465)
        let plain = try parse(minimalTOML + "[email]\nhost = \"::1\"\nfrom = \"h@example.com\"\ntls = \"none\"\n")
        #expect(plain.email?.port == 25)
        #expect(plain.email?.host == "::1")
    }

    @Test("credentials: a user name takes exactly one password source; the password itself is refused")
    func credentials() throws {
        let base = minimalTOML + "[email]\nhost = \"smtp.example.com\"\nfrom = \"h@example.com\"\n"
        let file = try parse(base + "username = \"herald\"\npassword_file = \"smtp-password\"\n")
        #expect(file.email?.passwordSource == .file(path: "/etc/herald/smtp-password"))
        let credential = try parse(base + "username = \"herald\"\npassword_credential = \"smtp-password\"\n")
        #expect(credential.email?.passwordSource == .credential(name: "smtp-password"))
        #expect(problems(base + "username = \"herald\"\n") == [
            "email.username: is set, so the SMTP password must come from email.password_file or email.password_credential; set one of them",
        ])
        #expect(problems(base + "password_file = \"/etc/herald/pw\"\n") == [
            "email.password_file: is set but email.username is empty; set the user name the server expects, or remove password_file",
        ])
        #expect(problems(base + "username = \"herald\"\npassword_file = \"/pw\"\npassword_credential = \"pw\"\n") == [
            "email.password_file: both password_file and password_credential (\"pw\") are set; set exactly one",
        ])
        #expect(problems(base + "username = \"herald\"\npassword_credential = \"../pw\"\n") == [
            "email.password_credential: \"../pw\" is not a credential name (a file name in $CREDENTIALS_DIRECTORY, without \"/\")",
        ])
        let refused = problems(base + "username = \"herald\"\npassword_file = \"/pw\"\npassword = \"hunter2\"\n")
        #expect(refused.count == 1)
        #expect(refused.first?.hasPrefix("email.password: the SMTP password is never accepted in the configuration file") == true)
    }

    @Test("ca_file: resolved like every path, and refused where no certificate is checked")
    func caFile() throws {
        let base = minimalTOML + "[email]\nhost = \"smtp.example.com\"\nfrom = \"h@example.com\"\n"
        #expect(try parse(base + "ca_file = \"relay-ca.pem\"\n").email?.caFile == "/etc/herald/relay-ca.pem")
        #expect(try parse(base).email?.caFile == nil)
        #expect(problems(base + "tls = \"none\"\nca_file = \"/etc/ssl/ca.pem\"\n") == [
            "email.ca_file: is set but email.tls is \"none\", so no certificate is ever checked; use starttls or tls",
        ])
    }

    @Test("every bad value is reported with its key, all at once")
    func badValues() {
        let text = minimalTOML + """
            [email]
            host = "smtp.example.com:587"
            tls = "ssl"
            port = 70000
            from = "Herald <herald@example.com>"
            from_name = "Her\\"ald"
            timeout = 0
            min_backoff = 10.0
            max_backoff = 5.0
            max_attempt = 3
            [[orgs]]
            id = "acme"
            [[orgs.users]]
            id = "alice"
            number = "+16125550100"
            email = "alice at example.com"
            [[orgs.users]]
            id = "bob"
            number = "+16125550101"
            forward_replies = true
            [[orgs.users]]
            id = "carol"
            number = "+16125550102"
            forward_replies = "yes"

            """
        #expect(problems(text) == [
            "email.host: \"smtp.example.com:587\" is not a host name or IP address; the port goes in email.port",
            "email.tls: \"ssl\" is not one of \"none\", \"starttls\", \"tls\"",
            "email.port: must be between 1 and 65535, found 70000",
            "email.from: \"Herald <herald@example.com>\" has spaces, control or non-ASCII characters; write a plain address such as \"alice@example.com\"",
            "email.from_name: \"Her\\\"ald\" must not contain line breaks, quotes or backslashes",
            "email.timeout: must be greater than 0, found 0",
            "email.min_backoff: 10 is greater than email.max_backoff 5",
            "email.max_attempt: unknown key (did you mean \"max_attempts\"?)",
            "orgs[0].users[0].email: \"alice at example.com\" has spaces, control or non-ASCII characters; write a plain address such as \"alice@example.com\"",
            "orgs[0].users[1].forward_replies: is true but the user has no email; set email to the address replies should go to",
            "orgs[0].users[2].forward_replies: expected boolean (true or false), found string \"yes\"",
        ])
    }

    @Test("addresses: plain local@domain only, nothing that could end an SMTP command or a header")
    func addresses() {
        #expect(EmailAddress.problem("alice@example.com") == nil)
        #expect(EmailAddress.problem("a.b+tag@sub.example.co") == nil)
        #expect(EmailAddress.problem("root@localhost") == nil)
        #expect(EmailAddress.problem("alice@example.com>\r\nRCPT TO:<x@y") != nil)
        #expect(EmailAddress.problem("alice") == "\"alice\" is not an address of the form local@domain")
        #expect(EmailAddress.problem("a@b@c") == "\"a@b@c\" is not an address of the form local@domain")
        #expect(EmailAddress.problem("alice@example..com") == "\"alice@example..com\" has an empty label in its domain")
        #expect(EmailAddress.problem("josé@example.com") != nil)
        #expect(EmailAddress.problem("") == "must not be empty")
    }

    @Test("the password is read from its file: the final line break goes, spaces stay; problems name key and path")
    func password() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("pw").path
        try " correct horse \n".write(toFile: path, atomically: true, encoding: .utf8)
        let email = HeraldConfiguration.Email(host: "h", username: "u", passwordSource: .file(path: path), from: "h@example.com")
        #expect(try email.resolvePassword(environment: [:]) == " correct horse ")
        let missing = folder.appendingPathComponent("absent").path
        let noFile = HeraldConfiguration.Email(host: "h", username: "u", passwordSource: .file(path: missing), from: "h@example.com")
        #expect(throws: ConfigurationError.passwordUnavailable(key: "email.password_file", path: missing, reason: "No such file or directory")) {
            try noFile.resolvePassword(environment: [:])
        }
        let credential = HeraldConfiguration.Email(host: "h", username: "u", passwordSource: .credential(name: "pw"), from: "h@example.com")
        #expect(try credential.resolvePassword(environment: ["CREDENTIALS_DIRECTORY": folder.path]) == " correct horse ")
        #expect(throws: ConfigurationError.self) { try credential.resolvePassword(environment: [:]) }
        #expect(try HeraldConfiguration.Email(host: "h", from: "h@example.com").resolvePassword(environment: [:]) == nil)
        #expect(ConfigurationError.passwordUnavailable(key: "email.password_file", path: "/x", reason: "the file is empty").description
            == "email.password_file: cannot use the SMTP password from /x: the file is empty")
    }

    @Test("the commented [email] example in herald.toml is valid")
    func shippedExample() throws {
        var lines = try String(contentsOf: repositoryRoot.appendingPathComponent("etc/herald/herald.toml"), encoding: .utf8)
            .replacingOccurrences(of: #"account_sid = """#, with: #"account_sid = "ACtest""#)
            .components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "#[email]"))
        var index = start
        while index < lines.count, !lines[index].isEmpty {
            if !lines[index].hasPrefix("# ") { lines[index].removeFirst() }
            index += 1
        }
        let email = try #require(try parse(lines.joined(separator: "\n")).email)
        #expect(email.host == "smtp.example.com")
        #expect(email.port == 587)
        #expect(email.tls == .starttls)
        #expect(email.username == "herald@example.com")
        #expect(email.passwordSource == .credential(name: "smtp-password"))
        #expect(email == HeraldConfiguration.Email(
            host: "smtp.example.com", username: "herald@example.com", passwordSource: .credential(name: "smtp-password"),
            from: "herald@example.com"
        ), "the example spells out the defaults")
    }
}
