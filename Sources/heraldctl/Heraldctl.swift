import ArgumentParser

@main
struct Heraldctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heraldctl",
        abstract: "Inspect and steer Herald, the SMS delivery daemon.",
        discussion: """
            Offline commands need no running daemon:
              heraldctl segments "Your code is 1234"     what a text costs, and why
              heraldctl number "(612) 555-0123"          is it a US/Canadian number, which timezones
              heraldctl window --to "+1 512 555 0100" --at 2026-11-22T10:00:00-06:00
                                                        may a bulk text go now, else when and why
              heraldctl config check /etc/herald/herald.toml

            Every command takes --json for scripts. Exit status: 0 success, 1 the answer is "no"
            (an invalid number, a configuration with problems), 64 bad usage.
            """,
        subcommands: [SegmentsCommand.self, NumberCommand.self, WindowCommand.self, ConfigCommand.self]
    )
}
