import Foundation
import HeraldCore

extension HeraldConfiguration {
    /// The SMTP server that forwards replies to users who asked for them by email. The whole
    /// section is optional: without it no reply is forwarded.
    public struct Email: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var tls: TLSMode
        /// Empty: the server takes mail from this host without AUTH.
        public var username: String
        /// Where the password lives when `username` is set; never in the file itself.
        public var passwordSource: TokenSource?
        /// The envelope sender and the From: address.
        public var from: String
        /// The display name on From:, so the mail reads as Herald's and not as the contact's.
        public var fromName: String
        /// CA certificates (PEM) to verify the server with, for a relay behind a private CA;
        /// nil means the system's.
        public var caFile: String?
        public var connectTimeout: Double
        /// The whole SMTP conversation for one mail, connection included.
        public var timeout: Double
        public var minBackoff: Double
        public var maxBackoff: Double
        /// Attempts per mail, the first included; then the forward is failed with the last error.
        public var maxAttempts: Int

        public init(
            host: String, port: Int? = nil, tls: TLSMode = .starttls, username: String = "", passwordSource: TokenSource? = nil,
            from: String, fromName: String = "Herald", caFile: String? = nil, connectTimeout: Double = 10, timeout: Double = 60,
            minBackoff: Double = 30, maxBackoff: Double = 3600, maxAttempts: Int = 10
        ) {
            self.host = host
            self.port = port ?? tls.defaultPort
            self.tls = tls
            self.username = username
            self.passwordSource = passwordSource
            self.from = from
            self.fromName = fromName
            self.caFile = caFile
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.minBackoff = minBackoff
            self.maxBackoff = maxBackoff
            self.maxAttempts = maxAttempts
        }

        /// No jitter: forwards are few, and a burst of them is one SMTP outage, not a stampede.
        public var retryPolicy: RetryPolicy {
            RetryPolicy(minimumBackoff: minBackoff, maximumBackoff: maxBackoff, maxAttempts: maxAttempts, jitter: 0)
        }
    }

    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        /// Plain SMTP: only for a relay on the same host or a trusted network.
        case none
        /// Plain connection upgraded with STARTTLS, which is then required (submission, port 587).
        case starttls
        /// TLS from the first byte (SMTPS, port 465).
        case tls

        public var defaultPort: Int {
            switch self {
            case .none: 25
            case .starttls: 587
            case .tls: 465
            }
        }
    }

    /// What the operator should hear about at check and at start without the file being wrong:
    /// users who asked for replies by email while no `[email]` section says how to send them.
    public var warnings: [String] {
        guard email == nil else { return [] }
        var warnings: [String] = []
        for (orgIndex, org) in orgs.enumerated() {
            for (userIndex, user) in org.users.enumerated() where user.forwardReplies {
                warnings.append("""
                    orgs[\(orgIndex)].users[\(userIndex)].forward_replies: \(org.id)/\(user.id) asks for replies by email, \
                    but there is no [email] section; replies to \(user.number) are stored and not forwarded until one is added
                    """)
            }
        }
        return warnings
    }
}
