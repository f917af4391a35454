import ArgumentParser

/// `--socket PATH` and `--json` belong to each daemon command (`DaemonOptions`), and
/// swift-argument-parser accepts a command's options only after its name. Operators type them
/// first (`heraldctl --socket var/admin.sock status`), as with `systemctl --user` or `git -C`, so
/// this moves them from anywhere before the last subcommand name to just after it.
enum GlobalOptionPlacement {
    static let flags: Set<String> = ["--json"]
    static let valued: Set<String> = ["--socket"]

    static func arranged(_ arguments: [String], root: ParsableCommand.Type = Heraldctl.self) -> [String] {
        var command = root
        var path: [String] = []
        var moved: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let token = arguments[index]
            if flags.contains(token) || valued.contains(where: { token.hasPrefix($0 + "=") }) {
                moved.append(token)
                index += 1
            } else if valued.contains(token), index + 1 < arguments.endIndex {
                moved += [token, arguments[index + 1]]
                index += 2
            } else if let sub = subcommand(named: token, of: command) {
                path.append(token)
                command = sub
                index += 1
            } else {
                break
            }
        }
        guard !moved.isEmpty else { return arguments }
        return path + moved + arguments[index...]
    }

    private static func subcommand(named name: String, of command: ParsableCommand.Type) -> ParsableCommand.Type? {
        command.configuration.subcommands.first { $0._commandName == name || $0.configuration.aliases.contains(name) }
    }
}
