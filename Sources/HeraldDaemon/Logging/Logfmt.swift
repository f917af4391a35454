import Glibc
import Logging

/// logfmt lines, as heraldd writes them on stderr when no journal is listening:
/// `ts=2026-11-23T15:54:05.123Z level=info msg="message 42 sent" event=sent message_id=42 org=acme`.
/// A value is quoted when it is empty or holds a space, `=`, `"`, `\` or a control character;
/// inside quotes `\` and `"` are escaped, and so are newlines (`\n`), so one line is one entry.
enum Logfmt {
    static func line(level: Logger.Level, message: String, metadata: Logger.Metadata, error: (any Error)?,
                     at time: timespec = now()) -> String {
        var line = "ts=" + timestamp(time) + " level=" + level.rawValue + " msg=" + value(message)
        for key in LogKey.leading {
            if let item = metadata[key] { line += " " + key + "=" + value(text(of: item)) }
        }
        for key in metadata.keys.sorted() where !LogKey.leading.contains(key) {
            line += " " + self.key(key) + "=" + value(text(of: metadata[key]!))
        }
        if let error { line += " error=" + value("\(error)") }
        return line + "\n"
    }

    /// swift-log's precedence: the handler's own metadata, then the provider's, then the call's.
    static func merge(base: Logger.Metadata, provider: Logger.MetadataProvider?, explicit: Logger.Metadata?) -> Logger.Metadata {
        var merged = base
        if let provided = provider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let explicit, !explicit.isEmpty {
            merged.merge(explicit) { _, new in new }
        }
        return merged
    }

    static func text(of value: Logger.Metadata.Value) -> String {
        switch value {
        case let .string(text): text
        case let .stringConvertible(convertible): convertible.description
        default: value.description
        }
    }

    static func value(_ text: String) -> String {
        if text.isEmpty { return "\"\"" }
        let needsQuotes = text.unicodeScalars.contains { scalar in
            scalar.value <= 0x20 || scalar == "=" || scalar == "\"" || scalar == "\\" || (0x7F...0x9F).contains(scalar.value)
        }
        guard needsQuotes else { return text }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                let hex = String(scalar.value, radix: 16)
                quoted += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    /// Keys are never quoted in logfmt: anything that would need quotes becomes `_`.
    static func key(_ key: String) -> String {
        if key.isEmpty { return "_" }
        return String(String.UnicodeScalarView(key.unicodeScalars.map { scalar in
            scalar.value <= 0x20 || scalar == "=" || scalar == "\"" || scalar == "\\" || (0x7F...0x9F).contains(scalar.value) ? "_" : scalar
        }))
    }

    static func now() -> timespec {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return time
    }

    /// RFC 3339 in UTC with milliseconds, written by hand: Foundation's formatters cost more than
    /// the rest of the line.
    static func timestamp(_ time: timespec) -> String {
        var seconds = time_t(time.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ number: Int32, _ width: Int) -> String {
            let digits = String(number)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2)
            + "T" + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2)
            + "." + pad(Int32(time.tv_nsec / 1_000_000), 3) + "Z"
    }
}
