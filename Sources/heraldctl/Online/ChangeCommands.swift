import ArgumentParser
import Foundation
import HeraldControl
import HeraldCore

/// Exit 1 when nothing changed because everything named was left alone: a script asked for a
/// change that did not happen.
private func finish(_ change: ChangeResult) throws {
    if change.changed.isEmpty, !change.skipped.isEmpty { throw ExitCode(ExitStatus.refused.rawValue) }
}

private func printChange(_ change: ChangeResult, verb: String) {
    print("\(verb) \(change.changed.count) message\(change.changed.count == 1 ? "" : "s")\(change.changed.isEmpty ? "" : ": " + change.changed.prefix(20).map { "\($0)" }.joined(separator: ", "))\(change.changed.count > 20 ? ", …" : "")")
    for skipped in change.skipped { print("left \(skipped.id) alone: \(skipped.reason)") }
}

struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Send failed, undelivered or expired messages again (with a fresh idempotency key).",
        discussion: """
            Examples:
              heraldctl retry 1042
              heraldctl retry --failed --org acme
            Needs the admin group, root or the herald user.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The message id.")
    var id: Int64?
    @Flag(help: "Every failed message (of --org, if given).")
    var failed = false
    @Option(help: "With --failed: only this organization's.")
    var org: String?

    func validate() throws {
        if (id == nil) == (failed == false) { throw ValidationError("give either a message id or --failed") }
        if id != nil, org != nil { throw ValidationError("--org goes with --failed") }
    }

    func run() throws {
        let change = try daemon.request(Admin.retry(RetryRequest(id.map { .message($0) } ?? .failed(org: org))))
        daemon.output(change) { printChange(change, verb: "queued again") }
        try finish(change)
    }
}

struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel messages Herald still holds (queued, scheduled, awaiting_consent).",
        discussion: """
            Examples:
              heraldctl cancel 1042
              heraldctl cancel --org acme --state scheduled
            A message already posted to the carrier cannot be canceled. Needs the admin group, root or the herald user.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The message id.")
    var id: Int64?
    @Option(help: "Every message of this organization in --state.")
    var org: String?
    @Option(help: "With --org, the state of the messages to cancel; only queued, scheduled and awaiting_consent ones can be")
    var state: MessageState?

    func validate() throws {
        switch (id, org, state) {
        case (_?, nil, nil), (nil, _?, _?): break
        default: throw ValidationError("give either a message id or both --org and --state")
        }
    }

    func run() throws {
        let target: CancelTarget = if let id { .message(id) } else { .matching(org: org!, state: state!) }
        let change = try daemon.request(Admin.cancel(CancelRequest(target)))
        daemon.output(change) { printChange(change, verb: "canceled") }
        try finish(change)
    }
}

/// `pause org ACME`, `pause sender +16125550100`, and the same under `resume`.
struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Stop sending for an organization or one sender number; messages wait, none is lost.",
        discussion: """
            Examples:
              heraldctl pause org acme
              heraldctl pause sender "+1 612 555 0100"
            """,
        subcommands: [PauseTargetCommand<Org, Pausing>.self, PauseTargetCommand<Sender, Pausing>.self]
    )
}

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume sending for a paused organization or sender number.",
        discussion: """
            Examples:
              heraldctl resume org acme
              heraldctl resume sender "+1 612 555 0100"
            """,
        subcommands: [PauseTargetCommand<Org, Resuming>.self, PauseTargetCommand<Sender, Resuming>.self]
    )
}

protocol PauseKind { static var name: String { get }; static var help: String { get }; static func target(_ value: String) -> PauseTarget }
protocol PauseDirection { static var pause: Bool { get } }
enum Org: PauseKind {
    static let name = "org"
    static let help = "The organization id."
    static func target(_ value: String) -> PauseTarget { .org(value) }
}
enum Sender: PauseKind {
    static let name = "sender"
    static let help = "The sender's provisioned number."
    static func target(_ value: String) -> PauseTarget { .sender(value) }
}
enum Pausing: PauseDirection { static let pause = true }
enum Resuming: PauseDirection { static let pause = false }

struct PauseTargetCommand<Kind: PauseKind, Direction: PauseDirection>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Kind.name, abstract: "\(Direction.pause ? "Pause" : "Resume") one \(Kind.name == "org" ? "organization" : "sender number").")
    }

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: ArgumentHelp(Kind.help))
    var value: String

    func run() throws {
        let target = Kind.target(value)
        let result = try daemon.request((Direction.pause ? Admin.pause : Admin.resume)(PauseRequest(target)))
        daemon.output(result) {
            let what = result.org.map { "organization \($0)" } ?? "sender \(result.sender ?? value)"
            print("\(what) \(result.paused ? "paused" : "resumed")\(result.changed ? "" : " (it already was)")")
        }
    }
}

struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Queue a text through the outbox, with the same checks as any producer's row.",
        discussion: """
            Examples:
              heraldctl send --org acme --from alice --to "+1 612 555 0123" "Your table is ready"
              heraldctl send --org acme --from alice --to 6125550123 --kind journey "See you Tuesday"
            Prints the message id; follow it with `heraldctl show ID`.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Option(help: "Organization id.")
    var org: String
    @Option(help: "Sending user id or the user's provisioned number.")
    var from: String
    @Option(help: "Recipient number, as typed.")
    var to: String
    @Option(help: "conversational, journey, bulk or opt_in_request (system is Herald's own).")
    var kind = "conversational"
    @Argument(help: "The text.")
    var text: String

    func run() throws {
        let result = try daemon.request(Admin.send(SendRequest(org: org, from: from, to: to, kind: kind, text: text)))
        daemon.output(result) { print("queued as message \(result.id)") }
    }
}

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write an online, consistent copy of the queue database while heraldd keeps sending.",
        discussion: """
            Example:
              heraldctl backup /var/lib/herald/backup-$(date +%F).db
            heraldd writes the file as its own user: under the shipped unit (ProtectSystem=strict)
            only below /var/lib/herald. The file appears complete or not at all, mode 0640.
            Refused: the live database and its -wal, -shm and -journal files (by any name), a
            symbolic link, a directory, a missing directory, and an existing file unless --force.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Flag(help: "Replace the file if it exists (never the live database, a link or a directory).")
    var force = false
    @Argument(help: "Where to write the copy (relative paths are taken from the current directory).")
    var file: String

    func run() throws {
        let path = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        let result = try daemon.request(Admin.backup(BackupRequest(path: path, force: force)))
        daemon.output(result) { print("wrote \(result.path) (\(result.bytes) bytes) in \(String(format: "%.2f", result.seconds)) s") }
    }
}
