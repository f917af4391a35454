import ArgumentParser
import Foundation
import HeraldControl

struct NumbersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "numbers",
        abstract: "Buy, release and list users' sending numbers.",
        subcommands: [NumbersProvisionCommand.self, NumbersReleaseCommand.self, NumbersListCommand.self]
    )
}

/// `--users alice,bob`: ids as typed, blanks dropped.
private func userList(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// Each user's line: the outcome, or the code and reason of its failure.
private func outcomeCell(_ error: NumbersFailure?, done: String) -> String {
    error.map { "\($0.code): \($0.message)" } ?? done
}

struct NumbersProvisionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Buy a local number for each user, with Herald's webhooks set on it.",
        discussion: """
            Examples:
              heraldctl numbers provision --org acme --users alice,bob \\
                  --match-cell-area-code
              heraldctl numbers provision --org acme --users carol --area-code 612
            Each user gets a line of the report. A user with no cell phone on record,
            an area code with no numbers left or a user who already has a number
            fails alone; the others are still done. Exit 0 when every user got a
            number, 1 when any did not. Needs the admin group, root or the herald user.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Option(help: "Organization id.")
    var org: String
    @Option(help: ArgumentHelp("User ids, comma-separated.", valueName: "user,user,…"))
    var users: String
    @Flag(help: "Take each user's number from the area code of their cell phone.")
    var matchCellAreaCode = false
    @Option(help: ArgumentHelp("Take every user's number from this area code.", valueName: "NNN"))
    var areaCode: String?

    func validate() throws {
        if userList(users).isEmpty { throw ValidationError("--users needs at least one user id") }
        if matchCellAreaCode == (areaCode != nil) { throw ValidationError("give either --match-cell-area-code or --area-code NNN") }
        if let areaCode, areaCode.count != 3 || !areaCode.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw ValidationError("--area-code must be three digits, e.g. 612, not \(String(reflecting: areaCode))")
        }
    }

    func run() throws {
        let result = try daemon.request(Admin.numbersProvision(NumbersProvisionRequest(
            org: org, users: userList(users), areaCode: areaCode.map(AreaCodeChoice.given) ?? .matchCellPhone
        )))
        daemon.output(result) {
            var table = TextTable(header: ["USER", "AREA CODE", "NUMBER", "CARRIER SID", "RESULT"])
            for user in result.users {
                table.add([user.user, Render.text(user.areaCode), Render.text(user.number), Render.text(user.carrierSid),
                           outcomeCell(user.error, done: "provisioned")])
            }
            print(table.render())
        }
        if result.users.contains(where: { $0.error != nil }) { throw ExitCode(ExitStatus.refused.rawValue) }
    }
}

struct NumbersReleaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Give users' numbers back to the carrier (irreversible).",
        discussion: """
            Example:
              heraldctl numbers release --org acme --users alice --confirm-irreversible
            Without --confirm-irreversible nothing changes: heraldd says which numbers
            would be released and how many waiting texts would be held, and heraldctl
            exits 1. Texts still waiting to go from a released number are held
            sender_released: never sent from another number, kept until they expire
            or are canceled. Exit 0 when every user's number was released, 1 when any
            was not. Needs the admin group, root or the herald user.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Option(help: "Organization id.")
    var org: String
    @Option(help: ArgumentHelp("User ids, comma-separated.", valueName: "user,user,…"))
    var users: String
    @Flag(help: "Release for real: the numbers go back on sale and may never be had again.")
    var confirmIrreversible = false

    func validate() throws {
        if userList(users).isEmpty { throw ValidationError("--users needs at least one user id") }
    }

    func run() throws {
        let result = try daemon.request(Admin.numbersRelease(NumbersReleaseRequest(
            org: org, users: userList(users), confirm: confirmIrreversible
        )))
        daemon.output(result) {
            var table = TextTable(header: ["USER", "NUMBER", "HELD", "RESULT"])
            for user in result.users {
                let done = user.alreadyReleasedAtCarrier ? "released (the carrier no longer had it)" : "released"
                table.add([user.user, Render.text(user.number), user.error == nil ? "\(user.held.count)" : "-", outcomeCell(user.error, done: done)])
            }
            print(table.render())
        }
        if result.users.contains(where: { $0.error != nil }) { throw ExitCode(ExitStatus.refused.rawValue) }
    }
}

struct NumbersListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List an organization's users, numbers and cell phones.",
        discussion: """
            Example:
              heraldctl numbers list --org acme
            A number without a carrier sid comes from the configuration, not from
            numbers provision.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Option(help: "Organization id.")
    var org: String

    func run() throws {
        let result = try daemon.request(Admin.numbersList(OrganizationRef(org)))
        daemon.output(result) {
            var table = TextTable(header: ["USER", "NAME", "NUMBER", "CELL PHONE", "CARRIER SID", "PROVISIONED"])
            for user in result.users {
                table.add([user.user, user.name, Render.text(user.number), Render.text(user.cellPhone), Render.text(user.carrierSid),
                           user.number == nil ? "-" : Render.instant(user.provisionedAt)])
            }
            print(table.render())
        }
    }
}
