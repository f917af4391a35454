import ArgumentParser
import Foundation
import HeraldControl

struct CreditsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credits",
        abstract: "Segment credits per user: each sent segment uses one; without credits texts wait (no_credits).",
        subcommands: [CreditsAllocateCommand.self, CreditsShowCommand.self]
    )
}

struct CreditsAllocateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allocate",
        abstract: "Add segment credits to a user (or set the balance with --exactly); held texts go at once.",
        discussion: """
            Example:
              heraldctl credits allocate --org acme --user alice 1000
              heraldctl credits allocate --org acme --user bob 0 --exactly      meter bob, with nothing to send yet
            A user never allocated credits is not metered. Herald's own answers to STOP/HELP never wait for credits.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Option(help: "Organization id.")
    var org: String
    @Option(help: "User id.")
    var user: String
    @Argument(help: "Segments to add (or the new balance with --exactly).")
    var segments: Int
    @Flag(help: "Set the balance to SEGMENTS instead of adding.")
    var exactly = false
    @Option(help: ArgumentHelp("Who allocates, recorded with it (default: your user name).", valueName: "username"))
    var by: String?
    @Option(help: "A note kept with the allocation.")
    var note: String?

    func validate() throws {
        if exactly ? segments < 0 : segments <= 0 { throw ValidationError(exactly ? "SEGMENTS must be 0 or more" : "SEGMENTS must be more than 0") }
    }

    func run() throws {
        let result = try daemon.request(Admin.creditsAllocate(CreditsAllocateRequest(
            org: org, user: user, segments: segments, exactly: exactly, by: by, note: note
        )))
        daemon.output(result) {
            print("\(result.user) of \(result.org): \(result.old.map(String.init) ?? "unmetered") → \(result.new) credits; \(result.released) held texts released")
        }
    }
}

struct CreditsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Credits, this month's segments and held texts per user.")

    @OptionGroup var daemon: DaemonOptions
    @Option(help: "Organization id.")
    var org: String
    @Option(help: "Only this user.")
    var user: String?

    func run() throws {
        let result = try daemon.request(Admin.creditsShow(CreditsShowRequest(org: org, user: user)))
        daemon.output(result) {
            print("\(result.org), \(result.month): \(result.orgUsedThisMonth) segments used by the organization")
            var table = TextTable(header: ["USER", "NAME", "CREDITS", "USED THIS MONTH", "HELD (no_credits)"])
            for balance in result.users {
                table.add([balance.user, balance.name, balance.credits.map(String.init) ?? "unmetered", "\(balance.usedThisMonth)", "\(balance.held)"])
            }
            print(table.render())
        }
    }
}
