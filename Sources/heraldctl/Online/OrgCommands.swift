import ArgumentParser
import Foundation
import HeraldControl

struct OrgCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org",
        abstract: "Create, change and show organizations: timezone, sending window, texts.",
        subcommands: [OrgCreateCommand.self, OrgSetCommand.self, OrgShowCommand.self, OrgListCommand.self]
    )
}

/// The settings `org create` and `org set` share; what is left out stays as it is.
struct OrganizationOptions: ParsableArguments {
    @Option(help: "Display name, as {org_name} in texts.")
    var name: String?
    @Option(help: ArgumentHelp("IANA timezone of the sending window.", valueName: "America/Chicago"))
    var timezone: String?
    @Option(help: ArgumentHelp("Sending window, local wall clock (08:00-16:00 by default).", valueName: "HH:MM-HH:MM"))
    var window: String?
    @Option(help: ArgumentHelp("Days the window opens: mon,tue,… or all.", valueName: "days"))
    var weekdays: String?
    @Option(help: ArgumentHelp("Rewrite look-alike punctuation to GSM-7 before counting segments.", valueName: "on|off"))
    var smartEncoding: String?
    @Option(help: ArgumentHelp("Opt-in request text; {org_name}, {user_name}; empty for the standard one.", valueName: "text"))
    var optinTemplate: String?
    @Option(help: ArgumentHelp("Answer to YES/START.", valueName: "text"))
    var optinConfirmation: String?
    @Option(help: ArgumentHelp("Answer to STOP.", valueName: "text"))
    var optoutConfirmation: String?
    @Option(help: ArgumentHelp("Answer to HELP.", valueName: "text"))
    var helpText: String?

    func validate() throws {
        if let window, Self.split(window) == nil { throw ValidationError("--window takes HH:MM-HH:MM, e.g. 10:00-19:00") }
        if let smartEncoding, Self.flag(smartEncoding) == nil { throw ValidationError("--smart-encoding takes on or off") }
    }

    var fields: OrganizationFields {
        let hours = window.flatMap(Self.split)
        return OrganizationFields(
            name: name, timezone: timezone, windowStart: hours?.start, windowEnd: hours?.end, weekdays: weekdays,
            smartEncoding: smartEncoding.flatMap(Self.flag), optinTemplate: optinTemplate, optinConfirmation: optinConfirmation,
            optoutConfirmation: optoutConfirmation, helpText: helpText
        )
    }

    private static func split(_ window: String) -> (start: String, end: String)? {
        let parts = window.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    static func flag(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "on", "true", "yes": true
        case "off", "false", "no": false
        default: nil
        }
    }
}

struct OrgCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an organization managed with heraldctl.",
        discussion: """
            Example:
              heraldctl org create acme --name "Acme Dental" --timezone America/Denver --window 10:00-19:00 --weekdays mon,tue,wed,thu,fri
            Organizations defined in herald.toml are changed there, not here. Needs the admin group, root or the herald user.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "Organization id: a-z, 0-9, '-', '_', '.'.")
    var org: String
    @OptionGroup var settings: OrganizationOptions

    func run() throws {
        let result = try daemon.request(Admin.orgCreate(OrganizationRequest(org: org, settings.fields)))
        daemon.output(result) { OrgShowCommand.print(result) }
    }
}

struct OrgSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Change an organization's settings; what is left out stays.",
        discussion: """
            Example:
              heraldctl org set acme --window 10:00-19:00 --help-text "{org_name}: call 612-555-0100. Reply STOP to opt out."
            An empty text (--help-text "") goes back to Herald's standard wording; --weekdays all opens every day.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "Organization id.")
    var org: String
    @OptionGroup var settings: OrganizationOptions

    func validate() throws {
        if settings.fields.isEmpty { throw ValidationError("give at least one setting to change (see --help)") }
    }

    func run() throws {
        let result = try daemon.request(Admin.orgSet(OrganizationRequest(org: org, settings.fields)))
        daemon.output(result) { OrgShowCommand.print(result) }
    }
}

struct OrgShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an organization, its texts and users.")

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "Organization id.")
    var org: String

    func run() throws {
        let result = try daemon.request(Admin.orgShow(OrganizationRef(org)))
        daemon.output(result) { Self.print(result) }
    }

    static func print(_ org: OrganizationResult) {
        Swift.print("\(org.org): \(org.name)\(org.paused ? " (paused)" : "")  managed by \(org.managedBy == "config" ? "herald.toml" : "heraldctl")")
        Swift.print("window \(org.windowStart)-\(org.windowEnd) \(org.weekdays ?? "every day") \(org.timezone), smart encoding \(org.smartEncoding ? "on" : "off")")
        for (label, text) in [("opt-in request", org.optinTemplate), ("opt-in confirmation", org.optinConfirmation),
                              ("opt-out confirmation", org.optoutConfirmation), ("help text", org.helpText)] {
            Swift.print("\(label): \(text ?? "(standard)")")
        }
        if !org.users.isEmpty { Swift.print(UserListCommand.table(org.users)) }
    }
}

struct OrgListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List organizations.")

    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        let result = try daemon.request(Admin.orgList())
        daemon.output(result) {
            var table = TextTable(header: ["ORG", "NAME", "TIMEZONE", "WINDOW", "DAYS", "USERS", "MANAGED BY", "PAUSED"])
            for org in result.organizations {
                table.add([org.org, org.name, org.timezone, "\(org.windowStart)-\(org.windowEnd)", org.weekdays ?? "all", "\(org.users.count)",
                           org.managedBy == "config" ? "herald.toml" : "heraldctl", org.paused ? "yes" : "no"])
            }
            print(table.render())
        }
    }
}

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add and change an organization's sending users.",
        subcommands: [UserAddCommand.self, UserSetCommand.self, UserListCommand.self]
    )
}

struct UserOptions: ParsableArguments {
    @Option(help: "Full name, as {user_name} in texts.")
    var name: String?
    @Option(help: ArgumentHelp("The user's own cell phone (numbers provision --match-cell-area-code uses its area code).", valueName: "number"))
    var cellPhone: String?
    @Option(help: "Where replies are forwarded, when forwarding is on.")
    var email: String?
    @Option(help: ArgumentHelp("Added on its own line to the user's conversational, journey and bulk texts; empty removes it.", valueName: "text"))
    var signature: String?
    @Option(help: ArgumentHelp("Mail every reply to the user's number to --email (needs [email] in herald.toml).", valueName: "on|off"))
    var forwardReplies: String?

    func validate() throws {
        if let forwardReplies, OrganizationOptions.flag(forwardReplies) == nil { throw ValidationError("--forward-replies takes on or off") }
    }

    var forward: Bool? { forwardReplies.flatMap(OrganizationOptions.flag) }
}

struct UserAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a user to an organization.",
        discussion: """
            Example:
              heraldctl user add alice --org acme --name "Alice Moreno" --cell-phone 6125550188 --email alice@acme.example \\
                  --signature="- Alice, Acme"
            A value starting with '-' needs the --option=value form.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "User id: a-z, 0-9, '-', '_', '.'.")
    var user: String
    @Option(help: "Organization id.")
    var org: String
    @OptionGroup var settings: UserOptions

    func run() throws {
        let fields = UserFields(org: org, user: user, name: settings.name ?? user, cellPhone: settings.cellPhone, email: settings.email,
                                signature: settings.signature, forwardReplies: settings.forward)
        let result = try daemon.request(Admin.userAdd(fields))
        daemon.output(result) { print(UserListCommand.table([result])) }
    }
}

struct UserSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Change a user; what is left out stays, an empty text clears it.")

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "User id.")
    var user: String
    @Option(help: "Organization id.")
    var org: String
    @OptionGroup var settings: UserOptions

    func validate() throws {
        if settings.name == nil, settings.cellPhone == nil, settings.email == nil, settings.signature == nil, settings.forwardReplies == nil {
            throw ValidationError("give at least one of --name, --cell-phone, --email, --signature, --forward-replies")
        }
    }

    func run() throws {
        let fields = UserFields(org: org, user: user, name: settings.name, cellPhone: settings.cellPhone, email: settings.email,
                                signature: settings.signature, forwardReplies: settings.forward)
        let result = try daemon.request(Admin.userSet(fields))
        daemon.output(result) { print(UserListCommand.table([result])) }
    }
}

struct UserListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List an organization's users.")

    @OptionGroup var daemon: DaemonOptions
    @Option(help: "Organization id.")
    var org: String

    func run() throws {
        let result = try daemon.request(Admin.userList(OrganizationRef(org)))
        daemon.output(result) { print(Self.table(result.users)) }
    }

    static func table(_ users: [UserResult]) -> String {
        var table = TextTable(header: ["USER", "NAME", "NUMBER", "CELL PHONE", "EMAIL", "FORWARD", "SIGNATURE", "CREDITS", "MANAGED BY"])
        for user in users {
            table.add([user.user, user.name, Render.text(user.number), Render.text(user.cellPhone), Render.text(user.email), user.forwardReplies ? "yes" : "no",
                       Render.text(user.signature), user.credits.map(String.init) ?? "unmetered",
                       user.managedBy == "config" ? "herald.toml" : "heraldctl"])
        }
        return table.render()
    }
}
