import ArgumentParser
import Foundation
import HeraldConfig

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with heraldd's configuration file.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check a configuration file without a daemon; every problem is listed with its key.",
            discussion: """
                Examples:
                  heraldctl config check
                  heraldctl config check --json ./herald.toml
                Exit status 1 when the file has problems.
                """
        )

        @Flag(help: "Print JSON: {\"file\",\"valid\",\"problems\":[{\"key\",\"message\"}],\"warnings\":[…]}.")
        var json = false

        @Argument(help: "The configuration file.")
        var file = "/etc/herald/herald.toml"

        func run() throws {
            var problems: [ConfigurationError] = []
            var warnings: [String] = []
            do {
                warnings = try HeraldConfiguration.load(path: file).warnings
            } catch {
                problems = error.problems
            }
            if json {
                JSONOutput.print(ConfigCheckJSON(file: file, valid: problems.isEmpty, problems: problems.map {
                    .init(key: $0.key, message: $0.description)
                }, warnings: warnings))
            } else if problems.isEmpty {
                // A warning does not make the file invalid: the daemon runs, but not as the operator may expect.
                for warning in warnings { print("\(file): warning: \(warning)") }
                print("\(file): configuration is valid")
            } else {
                for problem in problems { print("\(file): \(problem)") }
            }
            if !problems.isEmpty { throw ExitCode(1) }
        }
    }
}

struct ConfigCheckJSON: Encodable {
    struct Problem: Encodable {
        var key: String?
        var message: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(key, forKey: .key)
            try container.encode(message, forKey: .message)
        }

        enum CodingKeys: String, CodingKey { case key, message }
    }

    var file: String
    var valid: Bool
    var problems: [Problem]
    var warnings: [String]
}
