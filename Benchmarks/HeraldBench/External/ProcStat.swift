import Foundation

/// Another process's CPU and memory, read from /proc as an operator's tools would: nothing in
/// heraldd is asked, so the figures hold for the binary as shipped.
enum ProcStat {
    /// User plus system CPU of every thread of `pid` so far (/proc/PID/stat fields 14 and 15).
    static func cpu(_ pid: Int32) throws -> Duration {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The command name is in parentheses and may hold spaces: count fields after the last ')'.
        guard let close = stat.lastIndex(of: ")") else { throw BenchFailure("/proc/\(pid)/stat: no command name in \(stat)") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
        guard fields.count > 12, let user = Int64(fields[11]), let system = Int64(fields[12]) else {
            throw BenchFailure("/proc/\(pid)/stat: cannot read utime and stime from \(stat)")
        }
        let ticksPerSecond = Int64(sysconf(Int32(_SC_CLK_TCK)))
        return .microseconds((user + system) * 1_000_000 / ticksPerSecond)
    }

    /// Peak resident set (VmHWM) in KiB: the most memory heraldd ever held, not just now.
    static func peakRSSKiB(_ pid: Int32) throws -> Int { try status(pid, "VmHWM:") }

    /// Resident set now (VmRSS) in KiB.
    static func rssKiB(_ pid: Int32) throws -> Int { try status(pid, "VmRSS:") }

    private static func status(_ pid: Int32, _ key: String) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }),
              let value = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) }) else {
            throw BenchFailure("/proc/\(pid)/status has no \(key) line")
        }
        return value
    }
}
