import Logging

/// One log line as journal fields (systemd.journal-fields(7)): `MESSAGE`, `PRIORITY`,
/// `SYSLOG_IDENTIFIER`, the catalogued `MESSAGE_ID`, the source location, and every metadata item
/// as `HERALD_<KEY>`. Pure, so the mapping is tested without a journald.
struct JournalFields {
    static let identifier = "heraldd"

    private(set) var fields: [(name: String, value: String)] = []

    init(level: Logger.Level, message: String, metadata: Logger.Metadata, error: (any Error)?,
         file: String, function: String, line: UInt) {
        add("MESSAGE", message)
        add("PRIORITY", String(Self.priority(level)))
        add("SYSLOG_IDENTIFIER", Self.identifier)
        if case let .string(name)? = metadata[LogKey.event], let event = HeraldEvent(rawValue: name) {
            add("MESSAGE_ID", event.messageID)
        }
        add("CODE_FILE", file)
        add("CODE_LINE", String(line))
        add("CODE_FUNC", function)
        for (key, value) in metadata {
            add(Self.fieldName(forKey: key), Logfmt.text(of: value))
        }
        if let error { add("HERALD_ERROR", "\(error)") }
    }

    private mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    /// syslog(3) levels, as journald and `journalctl -p` read PRIORITY.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// `message_id` → `HERALD_MESSAGE_ID`. Journal field names may hold only A–Z, 0–9 and `_`, at
    /// most 64 of them; journald drops a whole entry over one bad name, so every key is made valid.
    /// A key already spelled `herald_…` is not prefixed twice.
    static func fieldName(forKey key: String) -> String {
        var name = ""
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): name.append(Character(Unicode.Scalar(byte - 32)))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                name.append(Character(Unicode.Scalar(byte)))
            default: name.append("_")
            }
        }
        if !name.hasPrefix("HERALD_") { name = "HERALD_" + name }
        return String(name.prefix(64))
    }
}
