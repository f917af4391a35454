import ArgumentParser
import Foundation
import HeraldControl

struct ConsentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Show or record a number's consent in an organization.",
        subcommands: [ConsentShowCommand.self, ConsentSetCommand.self]
    )
}

struct ConsentShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a number's consent and the whole ledger behind it.",
        discussion: """
            Example:
              heraldctl consent show "(612) 555-0123" --org acme
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The contact's number, in any US/Canadian format.")
    var number: String
    @Option(help: "Organization id.")
    var org: String

    func run() throws {
        let result = try daemon.request(Admin.consentShow(ConsentShowRequest(org: org, number: number)))
        daemon.output(result) {
            print("\(result.number) in \(result.org): \(result.state)")
            guard !result.history.isEmpty else {
                print("no consent recorded")
                return
            }
            var table = TextTable(header: ["AT", "CHANGE", "TYPE", "CHANGED BY", "SOURCE", "WORDING", "NOTE"])
            for entry in result.history {
                let source = [entry.sourceMessageID.map { "message \($0)" }, entry.sourceInboundID.map { "inbound \($0)" }].compactMap { $0 }
                table.add([
                    Render.instant(entry.at), "\(entry.old) → \(entry.new)", entry.type, entry.changedBy,
                    source.isEmpty ? "-" : source.joined(separator: ", "), Render.text(entry.wording), Render.text(entry.note),
                ])
            }
            print(table.render())
        }
    }
}

struct ConsentSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Record a consent change: one ledger row; an opt-out cancels pending texts, an opt-in releases waiting ones.",
        discussion: """
            Example:
              heraldctl consent set 6125550123 --org acme --state opted_in --type paper \\
                  --by alice --wording "Signup form v3"
            Setting the state a number already has records nothing and says so (exit 0).
            Needs the admin group, root or the herald user.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The contact's number, in any US/Canadian format.")
    var number: String
    @Option(help: "Organization id.")
    var org: String
    @Option(help: "opted_in or opted_out.")
    var state: String
    @Option(help: "How the contact gave it: email, phone, paper, web or api.")
    var type: String
    @Option(help: ArgumentHelp("Your username, recorded as changed_by.", valueName: "username"))
    var by: String
    @Option(help: "The wording the contact agreed to, or its version.")
    var wording: String?
    @Option(help: "A note kept with the ledger row.")
    var note: String?

    func validate() throws {
        guard ConsentSetRequest.states.contains(state) else {
            throw ValidationError("--state must be \(ConsentSetRequest.states.joined(separator: " or ")), not \(String(reflecting: state))")
        }
        if type == "sms_response" {
            throw ValidationError("--type sms_response is reserved for the contact's own replies by SMS; use \(ConsentSetRequest.types.joined(separator: ", "))")
        }
        guard ConsentSetRequest.types.contains(type) else {
            throw ValidationError("--type must be one of \(ConsentSetRequest.types.joined(separator: ", ")), not \(String(reflecting: type))")
        }
    }

    func run() throws {
        let result = try daemon.request(Admin.consentSet(ConsentSetRequest(
            org: org, number: number, state: state, type: type, by: by, wording: wording, note: note
        )))
        daemon.output(result) {
            guard result.changed else {
                print("\(result.number) in \(result.org) is already \(result.new); nothing recorded")
                return
            }
            print("\(result.number) in \(result.org): \(result.old) → \(result.new) (ledger row \(result.ledgerID.map(String.init) ?? "-")); "
                + "\(result.canceled.count) pending canceled, \(result.released.count) released")
        }
    }
}

struct OptInCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optin",
        abstract: "Send opt-in requests.",
        subcommands: [OptInRequestSubcommand.self]
    )
}

struct OptInRequestSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Queue an opt-in request from a user's number with the organization's template.",
        discussion: """
            Example:
              heraldctl optin request --org acme --user alice --to "(612) 555-0123"
            At most 3 per user and contact, at least 12 hours apart, never to a contact who opted
            out or already opted in; sending windows apply. A refusal prints its reason (and when
            the next request may go) and exits 1. Needs the admin group, root or the herald user.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Option(help: "Organization id.")
    var org: String
    @Option(help: "The user whose number sends it.")
    var user: String
    @Option(help: "The contact's number, in any US/Canadian format.")
    var to: String

    func run() throws {
        let answer = try daemon.request(Admin.optInRequest(OptInRequestCommand(org: org, user: user, to: to)))
        if let refused = answer.refused {
            if daemon.json {
                daemon.output(answer) {}
                throw ExitCode(ExitStatus.refused.rawValue)
            }
            daemon.fail("opt-in request refused (\(refused.code)): \(refused.reason)"
                + (refused.nextAllowed.map { "; the next may go at \(Render.instant($0))" } ?? ""), code: .refused)
        }
        daemon.output(answer) {
            let when = answer.heldReason.map { "held \($0) until \(Render.instant(answer.notBefore))" } ?? "goes now"
            print("opt-in request to \(answer.to) queued as message \(answer.messageID.map(String.init) ?? "-"), \(when)")
        }
    }
}
