import CSystemd
import Glibc
import Logging

/// Writes each line to the journal natively with sd_journal_sendv(3), so that its fields can be
/// queried (`journalctl HERALD_MESSAGE_ID=42`) instead of parsed out of text.
public struct JournalLogHandler: LogHandler {
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
        let merged = Logfmt.merge(base: metadata, provider: metadataProvider, explicit: event.metadata)
        let record = JournalFields(
            level: event.level, message: event.message.description, metadata: merged, error: event.error,
            file: event.file, function: event.function, line: event.line
        )
        if Self.send(record) < 0 {
            // journald restarting or gone: the line still reaches stderr, which systemd also collects.
            LogfmtLogHandler.write(Logfmt.line(
                level: event.level, message: event.message.description, metadata: merged, error: event.error
            ))
        }
    }

    /// One sd_journal_sendv call: all "NAME=value" items in a single buffer, one iovec each.
    /// Values may hold newlines; sd_journal_sendv frames them itself.
    static func send(_ record: JournalFields) -> Int32 {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in record.fields {
            let start = bytes.count
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(UInt8(ascii: "="))
            bytes.append(contentsOf: field.value.utf8)
            ranges.append(start..<bytes.count)
        }
        return bytes.withUnsafeMutableBytes { buffer in
            let vectors = ranges.map { range in
                iovec(iov_base: buffer.baseAddress! + range.lowerBound, iov_len: range.count)
            }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }
}
