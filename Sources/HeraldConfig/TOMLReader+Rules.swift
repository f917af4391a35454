import Foundation

/// Value rules shared by several sections; each logs its own problem under the key and returns
/// nil, so the caller can skip checks that depend on the value.
extension TOMLReader {
    func positiveNumber(_ key: String, default fallback: Double) -> Double? {
        guard let value = number(key, default: fallback) else { return nil }
        guard value > 0 else {
            badValue(key, "must be greater than 0, found \(Self.format(value))")
            return nil
        }
        return value
    }

    func nonNegativeNumber(_ key: String, default fallback: Double) -> Double? {
        guard let value = number(key, default: fallback) else { return nil }
        guard value >= 0 else {
            badValue(key, "must not be negative, found \(Self.format(value))")
            return nil
        }
        return value
    }

    func positiveInteger(_ key: String, default fallback: Int) -> Int? {
        guard let value = integer(key, default: fallback) else { return nil }
        guard value > 0 else {
            badValue(key, "must be greater than 0, found \(value)")
            return nil
        }
        return value
    }

    /// A string that must not be blank; absent is reported as missing.
    func requiredString(_ key: String) -> String? {
        guard contains(key) else {
            log.add(.missingKey(key: keyPath(key)))
            return nil
        }
        guard let value = string(key) else { return nil }
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            badValue(key, "must not be empty")
            return nil
        }
        return value
    }

    /// One of an enum's raw values, listed in the message when the file says something else.
    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, default fallback: Choice) -> Choice?
    where Choice.RawValue == String {
        guard let raw = string(key, default: fallback.rawValue) else { return nil }
        guard let value = Choice(rawValue: raw) else {
            let options = Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            badValue(key, "\(String(reflecting: raw)) is not one of \(options)")
            return nil
        }
        return value
    }

    /// An http(s) base URL to which Herald appends paths, hence no trailing slash.
    func baseURL(_ key: String, default fallback: String) -> String? {
        guard let text = string(key, default: fallback) else { return nil }
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else {
            badValue(key, "\(String(reflecting: text)) is not an http:// or https:// URL")
            return nil
        }
        guard components.query == nil, components.fragment == nil else {
            badValue(key, "\(String(reflecting: text)) must not have a query or fragment")
            return nil
        }
        guard !text.hasSuffix("/") else {
            let trimmed = String(text.reversed().drop(while: { $0 == "/" }).reversed())
            badValue(key, "\(String(reflecting: text)) must not end with \"/\"; write \(String(reflecting: trimmed))")
            return nil
        }
        return text
    }

    /// A filesystem path, made absolute against the configuration file's directory.
    func path(_ key: String, default fallback: String, resolution: PathResolution) -> String? {
        guard let written = string(key, default: fallback) else { return nil }
        return resolvedPath(key, written, resolution: resolution)
    }

    func resolvedPath(_ key: String, _ written: String, resolution: PathResolution) -> String? {
        guard !written.isEmpty else {
            badValue(key, "must not be empty")
            return nil
        }
        switch resolution.resolve(written) {
        case .success(let path):
            return path
        case .failure(.undefinedVariable(let name)):
            badValue(key, "\(String(reflecting: written)) refers to ${\(name)}, which is not set in the environment")
        case .failure(.unterminatedReference):
            badValue(key, "\(String(reflecting: written)) has a \"${\" without its closing \"}\"")
        }
        return nil
    }

    /// Whole numbers print without a fraction, so `-1` in the file reads `-1` in the message.
    static func format(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }
}
