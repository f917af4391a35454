/// The admin socket's wire contract (docs/admin.md), shared by heraldd's server and heraldctl so the
/// two cannot drift apart: newline-delimited JSON, one request → one response, plus the `watch`
/// stream. The server speaks first with a `hello` line naming the protocol version.
public enum AdminProtocol {
    /// The major version: bumped when a request or response changes incompatibly, and heraldctl
    /// refuses a daemon that speaks another. Additions (a new command, a new optional field, a new
    /// result field) keep it. 2: a command's fields moved into `params`.
    public static let version = 2
    /// Longer lines are answered with `line_too_long` and skipped up to the next newline.
    public static let maxLineBytes = 64 * 1024
}

/// The first line the server writes on every connection.
public struct AdminHello: Codable, Sendable, Equatable {
    /// Always "heraldd": tells a client it reached the right socket.
    public var hello: String
    public var `protocol`: Int
    public var version: String
    /// What this peer may do: "read" (read-only commands) or "change" (every command).
    public var access: AdminAccess
    public var peer: AdminPeer

    public init(version: String, access: AdminAccess, peer: AdminPeer) {
        hello = "heraldd"
        self.protocol = AdminProtocol.version
        self.version = version
        self.access = access
        self.peer = peer
    }
}

/// The connecting process as the kernel reports it (SO_PEERCRED), not as it claims to be.
public struct AdminPeer: Codable, Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    public var user: String?

    public init(pid: Int32, uid: UInt32, gid: UInt32, user: String?) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.user = user
    }

    /// "alice (uid 1000)": how events and logs name whoever changed something.
    public var description: String {
        if let user { return "\(user) (uid \(uid))" }
        return "uid \(uid)"
    }
}

public enum AdminAccess: String, Codable, Sendable {
    case read
    case change
}
