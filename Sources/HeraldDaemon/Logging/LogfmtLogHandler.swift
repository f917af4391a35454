import Glibc
import Logging
import Synchronization

/// Plain logfmt lines on stderr, for heraldd run by hand, in a container, or by a supervisor
/// other than systemd.
public struct LogfmtLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) {
        logLevel = level
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        Self.write(Logfmt.line(
            level: event.level, message: event.message.description,
            metadata: Logfmt.merge(base: metadata, provider: metadataProvider, explicit: event.metadata), error: event.error
        ))
    }

    /// Serialised so that lines from many threads never interleave, even past PIPE_BUF.
    private static let stderrLock = Mutex(())

    static func write(_ line: String) {
        var bytes = Array(line.utf8)
        stderrLock.withLock { _ in
            bytes.withUnsafeMutableBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0, errno == EINTR {
                        continue
                    } else {
                        return // stderr closed: nowhere left to say so
                    }
                }
            }
        }
    }
}
