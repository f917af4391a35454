import Foundation
import HeraldControl
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Who is on the other end of an admin connection, from the kernel (SO_PEERCRED), and what they
/// may do (docs/admin.md): read-only commands for anyone who can open the socket (mode 0660, group
/// herald); changes for root, the daemon's own user, or members of the configured admin group.
struct AdminAuthority: Sendable {
    /// The admin group's id, resolved once at start; nil when none is configured or it does not exist.
    let adminGroup: gid_t?
    let adminGroupName: String?
    private let daemonUID = getuid()

    init(adminGroupName: String?) {
        self.adminGroupName = adminGroupName
        adminGroup = adminGroupName.flatMap(Self.groupID(named:))
    }

    func access(for peer: AdminPeer) -> AdminAccess {
        if peer.uid == 0 || peer.uid == daemonUID { return .change }
        guard let adminGroup else { return .read }
        if peer.gid == adminGroup { return .change }
        if let user = peer.user, Self.groups(of: user, primary: peer.gid).contains(adminGroup) { return .change }
        return .read
    }

    /// A refusal naming what would grant the right.
    func denial(_ command: String, peer: AdminPeer) -> AdminError {
        let groupHint = adminGroupName.map { "or be in group \($0)" } ?? "(no [admin] admin_group is configured)"
        return AdminError(.permissionDenied, "\(command) changes the queue; \(peer.description) may only read. Run it as root or the herald user \(groupHint)")
    }

    /// Reads SO_PEERCRED off an accepted Unix socket.
    static func peer(of channel: any Channel) async -> AdminPeer? {
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        guard let credentials: PeerCredentials = try? await provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED)
        ).get() else { return nil }
        return AdminPeer(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid, user: userName(credentials.uid))
    }

    /// `struct ucred` as the kernel lays it out.
    private struct PeerCredentials: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    static func userName(_ uid: uid_t) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }

    private static func groupID(named name: String) -> gid_t? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }

    private static func groups(of user: String, primary: gid_t) -> [gid_t] {
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(user, primary, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(user, primary, &groups, &count) >= 0 else { return [primary] }
        }
        return Array(groups.prefix(Int(count)))
    }
}
