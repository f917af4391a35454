import ArgumentParser
import Foundation
import HeraldControl
import HeraldCore

struct GroupsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group",
        abstract: "Manage an organization's contact groups, the recipients of broadcasts.",
        discussion: """
            A producer broadcasts by inserting one outbox row with to_group = the group's name and
            kind = bulk; every member's preferred SMS number gets a message of its own.
            Changes need the admin group, root or the herald user.
            """,
        subcommands: [GroupCreateCommand.self, GroupListCommand.self, GroupShowCommand.self, GroupAddCommand.self,
                      GroupRemoveCommand.self, GroupDeleteCommand.self]
    )
}

struct GroupCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an empty group.")

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The group's name, unique in the organization.")
    var name: String
    @Option(help: "Organization id.")
    var org: String

    func run() throws {
        let result = try daemon.request(Admin.groupCreate(GroupRef(org: org, name: name)))
        daemon.output(result) { print("group \(result.name) created in \(result.org)") }
    }
}

struct GroupListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List groups and their member counts.")

    @OptionGroup var daemon: DaemonOptions
    @Option(help: "Only this organization's groups.")
    var org: String?

    func run() throws {
        let groups = try daemon.request(Admin.groupList(GroupListRequest(org: org)))
        daemon.output(groups) {
            var table = TextTable(header: ["ORG", "GROUP", "MEMBERS", "CREATED"])
            for group in groups { table.add([group.org, group.name, "\(group.members)", Render.instant(group.createdAt)]) }
            print(table.render())
        }
    }
}

struct GroupShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a group and its first members.")

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The group's name.")
    var name: String
    @Option(help: "Organization id.")
    var org: String
    @Option(help: "How many members to list.")
    var limit = GroupShowRequest.defaultLimit

    func run() throws {
        let result = try daemon.request(Admin.groupShow(GroupShowRequest(org: org, name: name, limit: limit)))
        daemon.output(result) {
            print("group \(result.group.name) of \(result.group.org): \(result.group.members) members")
            var table = TextTable(header: ["CONTACT", "EXTERNAL ID", "NAME", "PREFERRED SMS"])
            for member in result.members {
                table.add(["\(member.contact)", Render.text(member.externalId), Render.text(member.name),
                           member.preferredSms ?? "none: a broadcast rejects this member"])
            }
            print(table.render())
        }
    }
}

/// Members to add or remove: numbers and external ids on the command line or from files.
struct GroupMemberOptions: ParsableArguments {
    @Argument(help: "Contacts by any of their numbers, in any US/Canadian format.")
    var numbers: [String] = []
    @Option(name: .customLong("external-id"), help: "A contact by its external id (repeatable).")
    var externalIDs: [String] = []
    @Option(help: ArgumentHelp("A file of numbers, one per line.", valueName: "path"))
    var numbersFile: String?
    @Option(help: ArgumentHelp("A file of external ids, one per line.", valueName: "path"))
    var externalIdsFile: String?

    func collect(_ daemon: DaemonOptions) -> (numbers: [String], externalIDs: [String]) {
        func lines(_ path: String?) -> [String] {
            guard let path else { return [] }
            guard let data = FileManager.default.contents(atPath: path), let text = String(validating: data, as: UTF8.self) else {
                daemon.fail("cannot read \(path) as UTF-8 text", code: .usage)
            }
            return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let numbers = self.numbers + lines(numbersFile)
        let externalIDs = self.externalIDs + lines(externalIdsFile)
        if numbers.isEmpty && externalIDs.isEmpty {
            daemon.fail("name at least one member: numbers, --external-id, --numbers-file or --external-ids-file", code: .usage)
        }
        return (numbers, externalIDs)
    }
}

/// Sends the members in requests that fit the admin socket's line limit and adds up the answers.
private func changeMembers(remove: Bool, org: String, name: String, members: GroupMemberOptions, daemon: DaemonOptions) throws {
    let (numbers, externalIDs) = members.collect(daemon)
    let pieces = try GroupMembers.pieces(org: org, name: name, numbers: numbers, externalIds: externalIDs, remove: remove)
    let client = try daemon.connect()
    var total = GroupChangeResult(org: org, name: name, changed: 0, unchanged: 0, unknown: [])
    for piece in pieces {
        let result = try daemon.request((remove ? Admin.groupRemove : Admin.groupAdd)(piece), on: client)
        total.changed += result.changed
        total.unchanged += result.unchanged
        total.unknown += result.unknown
    }
    daemon.output(total) {
        print(remove
            ? "\(total.changed) removed from \(name) of \(org); \(total.unchanged) were not members"
            : "\(total.changed) added to \(name) of \(org); \(total.unchanged) were members already")
        if !total.unknown.isEmpty {
            print("\(total.unknown.count) not found:")
            var table = TextTable(header: ["MEMBER", "REASON"])
            for unknown in total.unknown { table.add([unknown.member, unknown.reason]) }
            print(table.render())
        }
    }
    if !total.unknown.isEmpty { throw ExitCode(ExitStatus.refused.rawValue) }
}

struct GroupAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add contacts to a group by number or external id.",
        discussion: """
            Examples:
              heraldctl group add members --org acme 6125550123 "(612) 555-0124"
              heraldctl group add members --org acme --external-ids-file crm-ids.txt
            A number must belong to a contact of the organization (heraldctl contacts import).
            Exit status 1 when any member was not found (the others are added all the same).
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The group's name.")
    var name: String
    @Option(help: "Organization id.")
    var org: String
    @OptionGroup var members: GroupMemberOptions

    func run() throws {
        try changeMembers(remove: false, org: org, name: name, members: members, daemon: daemon)
    }
}

struct GroupRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove contacts from a group by number or external id.")

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The group's name.")
    var name: String
    @Option(help: "Organization id.")
    var org: String
    @OptionGroup var members: GroupMemberOptions

    func run() throws {
        try changeMembers(remove: true, org: org, name: name, members: members, daemon: daemon)
    }
}

struct GroupDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a group; messages of past broadcasts to it stay."
    )

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The group's name.")
    var name: String
    @Option(help: "Organization id.")
    var org: String

    func run() throws {
        let result = try daemon.request(Admin.groupDelete(GroupRef(org: org, name: name)))
        daemon.output(result) { print("group \(result.name) of \(result.org) deleted (\(result.members) members)") }
    }
}

struct BroadcastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broadcast",
        abstract: "Follow a broadcast to a contact group.",
        subcommands: [BroadcastShowCommand.self]
    )
}

struct BroadcastShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "A broadcast's progress, its messages counted by state and reason, and its recipients.",
        discussion: """
            Examples:
              heraldctl broadcast show 5120
              heraldctl broadcast show 5120 --state rejected --limit 500
            ID is the outbox row's id.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The broadcast's id (its outbox row's id).")
    var id: Int64
    @Option(help: "List only recipients whose message is in this state")
    var state: MessageState?
    @Option(help: "How many recipients to list.")
    var limit = GroupShowRequest.defaultLimit

    func run() throws {
        let result = try daemon.request(Admin.broadcastShow(BroadcastShowRequest(message: id, state: state, limit: limit)))
        daemon.output(result) {
            print("broadcast \(result.id) from \(result.sender) of \(result.org) to group \(result.group): \(result.state)")
            print("\(result.members) members fanned out: \(result.accepted) accepted, \(result.rejected) rejected"
                + (result.finishedAt.map { "; done at \(Render.instant($0))" } ?? ""))
            var counts = TextTable(header: ["STATE", "REASON", "MESSAGES"])
            for count in result.counts { counts.add([count.state, Render.text(count.reason), "\(count.count)"]) }
            print(counts.render())
            var recipients = TextTable(header: ["MESSAGE", "TO", "STATE", "REASON", "DETAIL"])
            for recipient in result.recipients {
                recipients.add(["\(recipient.message)", Render.text(recipient.to), recipient.state, Render.text(recipient.reason),
                                Render.text(recipient.detail)])
            }
            print(recipients.render())
        }
    }
}
