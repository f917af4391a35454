/// Where and how the SMTP mailer connects; plain values, resolved from `[email]` by the daemon.
public struct SMTPSettings: Sendable, Equatable {
    public enum Security: Sendable, Equatable {
        case none
        /// STARTTLS, required: libcurl gives up rather than send credentials or mail in the clear.
        case starttls
        /// SMTPS: TLS from the first byte.
        case tls
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// PEM CA certificates to verify the server against instead of the system's.
    public var caFile: String?
    public var connectTimeout: Duration
    /// The whole conversation for one mail.
    public var timeout: Duration

    public init(
        host: String, port: Int, security: Security, username: String? = nil, password: String? = nil, caFile: String? = nil,
        connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(60)
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    /// libcurl picks the protocol from the scheme; an IPv6 literal needs its brackets.
    var url: String {
        let scheme = security == .tls ? "smtps" : "smtp"
        let host = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(host):\(port)"
    }
}
