import HeraldCore
import TOMLKit

/// Problems found so far in one document; shared by every reader walking it, so nothing stops
/// at the first mistake.
final class ProblemLog {
    private(set) var problems: [ConfigurationError] = []

    func add(_ problem: ConfigurationError) {
        problems.append(problem)
    }
}

/// Reads one TOML table by key, tracking the key path for messages and every key asked for,
/// so that whatever the file holds beyond them can be reported as unknown.
///
/// Typed accessors return nil when the value is present but unusable (the problem is already
/// logged), and the default when the key is absent; callers skip cross-checks on nil so one
/// mistake is not reported twice.
final class TOMLReader {
    let path: String
    let log: ProblemLog
    private let table: TOMLTable
    private var knownKeys: Set<String> = []

    init(table: TOMLTable, path: String, log: ProblemLog) {
        self.table = table
        self.path = path
        self.log = log
    }

    func keyPath(_ key: String) -> String {
        let component = key.allSatisfy(\.isBareKeyCharacter) && !key.isEmpty ? key : String(reflecting: key)
        return path.isEmpty ? component : path + "." + component
    }

    func contains(_ key: String) -> Bool {
        knownKeys.insert(key)
        return table.contains(key: key)
    }

    func badValue(_ key: String, _ problem: String) {
        log.add(.badValue(key: keyPath(key), problem: problem))
    }

    // MARK: Scalars

    func string(_ key: String) -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.string else { return wrongType(key, "string", value) }
        return string
    }

    func string(_ key: String, default fallback: String) -> String? {
        contains(key) ? string(key) : fallback
    }

    func boolean(_ key: String, default fallback: Bool) -> Bool? {
        guard let value = value(key) else { return fallback }
        guard let bool = value.bool else { return wrongType(key, "boolean (true or false)", value) }
        return bool
    }

    func integer(_ key: String, default fallback: Int) -> Int? {
        guard let value = value(key) else { return fallback }
        guard let int = value.int else { return wrongType(key, "integer", value) }
        return int
    }

    /// Integers count as numbers: `timeout = 5` means 5.0 to anyone reading the file.
    func number(_ key: String) -> Double? {
        guard let value = value(key) else { return nil }
        let number: Double
        if let double = value.double {
            number = double
        } else if let int = value.int {
            number = Double(int)
        } else {
            return wrongType(key, "number", value)
        }
        guard number.isFinite else {
            badValue(key, "must be a finite number, found \(number)")
            return nil
        }
        return number
    }

    func number(_ key: String, default fallback: Double) -> Double? {
        contains(key) ? number(key) : fallback
    }

    func stringArray(_ key: String) -> [String]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { return wrongType(key, "array of strings", value) }
        var strings: [String] = []
        var allStrings = true
        for index in array.indices {
            if let string = array[index].string {
                strings.append(string)
            } else {
                log.add(.wrongType(key: keyPath(key) + "[\(index)]", expected: "string", found: Self.describe(array[index])))
                allStrings = false
            }
        }
        return allStrings ? strings : nil
    }

    // MARK: Tables

    /// The sub-table at `key`; an absent or mistyped section reads as empty so its defaults apply
    /// (a mistype is logged).
    func section(_ key: String) -> TOMLReader {
        let empty = TOMLReader(table: TOMLTable(), path: keyPath(key), log: log)
        guard let value = value(key) else { return empty }
        guard let table = value.table else {
            reportWrongType(key, "table", value)
            return empty
        }
        return TOMLReader(table: table, path: keyPath(key), log: log)
    }

    /// The elements of an array of tables (`[[orgs]]`), each read under `key[index]`.
    func tableArray(_ key: String) -> [TOMLReader] {
        guard let value = value(key) else { return [] }
        guard let array = value.array else {
            reportWrongType(key, "array of tables ([[\(key)]])", value)
            return []
        }
        var readers: [TOMLReader] = []
        for index in array.indices {
            let elementPath = keyPath(key) + "[\(index)]"
            if let table = array[index].table {
                readers.append(TOMLReader(table: table, path: elementPath, log: log))
            } else {
                log.add(.wrongType(key: elementPath, expected: "table", found: Self.describe(array[index])))
            }
        }
        return readers
    }

    // MARK: Keys the file must not hold

    func refuse(_ key: String, because reason: String) {
        if contains(key) { log.add(.refusedKey(key: keyPath(key), reason: reason)) }
    }

    /// Reports every key in the table that no accessor asked for. Call after reading all keys.
    func reportUnknownKeys() {
        for key in table.keys.sorted() where !knownKeys.contains(key) {
            let suggestion = EditDistance.closest(to: key, among: knownKeys, within: 2)
            log.add(.unknownKey(key: keyPath(key), suggestion: suggestion))
        }
    }

    // MARK: Helpers

    private func value(_ key: String) -> TOMLValueConvertible? {
        knownKeys.insert(key)
        return table[key]
    }

    private func wrongType<T>(_ key: String, _ expected: String, _ value: TOMLValueConvertible) -> T? {
        reportWrongType(key, expected, value)
        return nil
    }

    private func reportWrongType(_ key: String, _ expected: String, _ value: TOMLValueConvertible) {
        log.add(.wrongType(key: keyPath(key), expected: expected, found: Self.describe(value)))
    }

    /// How a value reads in a message: its type, then the value itself when it is short.
    static func describe(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string: "string " + String(reflecting: value.string ?? "")
        case .int: "integer " + (value.int.map(String.init) ?? "")
        case .double: "number " + (value.double.map { String($0) } ?? "")
        case .bool: "boolean " + (value.bool.map(String.init) ?? "")
        case .table: "table"
        case .array: "array"
        case .date, .time, .dateTime: "\(value.type) \(value.tomlValue.debugDescription)"
        }
    }
}

extension Character {
    /// Characters TOML allows in a bare key; anything else is quoted when shown in a key path.
    var isBareKeyCharacter: Bool {
        isASCIIDigit || ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_" || self == "-"
    }
}
