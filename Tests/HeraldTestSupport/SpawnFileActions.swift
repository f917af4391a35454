import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// posix_spawn file actions glibc has (2.29 and 2.34) but Swift's Glibc module does not declare.
public enum SpawnFileActions {
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// The child starts in `path`. Returns 0 or an errno.
    public static func addChdir(_ actions: inout posix_spawn_file_actions_t, _ path: String) -> Int32 {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return ENOSYS }
        return unsafeBitCast(symbol, to: AddChdir.self)(&actions, path)
    }

    /// The child closes every descriptor from `lowest` on: a busy test process holds a thousand
    /// or more, none opened close-on-exec by every library, and a child inherits them all. Returns
    /// 0 or an errno.
    public static func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) -> Int32 {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return ENOSYS }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, lowest)
    }
}
