/// Turns a path written in the configuration into the absolute path the daemon uses.
///
/// `${NAME}` expands from the environment first, so a unit can point at the directories
/// systemd creates (`${STATE_DIRECTORY}`, `${RUNTIME_DIRECTORY}`). A path that is still relative
/// is taken from the configuration file's directory, never the working directory, which
/// differs between `make run`, `heraldctl` and systemd.
struct PathResolution {
    let baseDirectory: String
    let environment: [String: String]

    enum Failure: Error, Equatable {
        case undefinedVariable(String)
        case unterminatedReference
    }

    func resolve(_ written: String) -> Result<String, Failure> {
        expand(written).map { expanded in
            let absolute = expanded.hasPrefix("/") ? expanded : baseDirectory + "/" + expanded
            return Self.normalize(absolute)
        }
    }

    private func expand(_ text: String) -> Result<String, Failure> {
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            let afterOpen = rest[start.upperBound...]
            guard let close = afterOpen.firstIndex(of: "}") else { return .failure(.unterminatedReference) }
            let name = String(afterOpen[..<close])
            guard let value = environment[name] else { return .failure(.undefinedVariable(name)) }
            output += value
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        output += rest
        return .success(output)
    }

    /// Lexical clean-up of `.`, `..` and repeated slashes. Symlinks are left alone on purpose:
    /// the path is shown back to the operator and must still look like what they wrote.
    static func normalize(_ absolute: String) -> String {
        var components: [Substring] = []
        for component in absolute.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..": if !components.isEmpty { components.removeLast() }
            default: components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }
}
