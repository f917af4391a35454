import Glibc
import Logging

/// Where heraldd's log lines go: natively to the journal when systemd connected stderr to it,
/// else logfmt on stderr.
public enum LogOutput: Sendable, Equatable {
    case journal
    case stderr

    /// systemd.exec(5): a service whose stderr is connected to the journal gets
    /// `JOURNAL_STREAM=<device>:<inode>` of that stream. A process must check that its stderr still
    /// is that very stream before switching to the native protocol, because the variable is inherited
    /// by children whose stderr was redirected elsewhere (a shell pipeline, `heraldd 2>file`).
    public static func detect(environment: [String: String], stderr fd: Int32 = STDERR_FILENO) -> LogOutput {
        guard let stream = environment["JOURNAL_STREAM"] else { return .stderr }
        let parts = stream.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return .stderr }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return .stderr }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode ? .journal : .stderr
    }

    public func handler(level: Logger.Level) -> any LogHandler {
        switch self {
        case .journal: JournalLogHandler(level: level)
        case .stderr: LogfmtLogHandler(level: level)
        }
    }
}
