import ArgumentParser
import Foundation
import HeraldControl
import HeraldCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the daemon: version, queue depth by state, send rate, paused orgs and senders, and the instances sharing a PostgreSQL queue.",
        discussion: """
            Examples:
              heraldctl status
              heraldctl status --json | jq .queue.scheduled
            """
    )

    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        let status = try daemon.request(Admin.status())
        daemon.output(status) {
            print("heraldd \(status.version) (pid \(status.pid)), up since \(Render.instant(status.startedAt))")
            print("database   \(status.database)")
            print("send rate  \(String(format: "%.1f", status.sentPerSecond)) messages/s (last minute)")
            print("reconcile  \(status.awaitingReconciliation) sent texts wait for a lookup of their final status")
            let states = ["queued", "scheduled", "awaiting_consent", "sending", "sent"]
            var table = TextTable(header: ["STATE", "MESSAGES"])
            for state in states { table.add([state, "\(status.queue[state] ?? 0)"]) }
            print(table.render())
            print("paused orgs     \(status.pausedOrgs.isEmpty ? "none" : status.pausedOrgs.joined(separator: ", "))")
            print("paused senders  \(status.pausedSenders.isEmpty ? "none" : status.pausedSenders.joined(separator: ", "))")
            if let instances = status.instances {
                var table = TextTable(header: ["INSTANCE", "HOST", "PID", "VERSION", "LAST SEEN", "SHARED WORK", "SENDERS"])
                for instance in instances {
                    table.add([
                        instance.id + (instance.answering ? " (this one)" : ""), instance.host, "\(instance.pid)", instance.version,
                        Render.instant(instance.seenAt), instance.sharedWork ? "yes" : "no",
                        instance.senders.isEmpty ? "none" : "\(instance.senders.count): " + instance.senders.joined(separator: ", "),
                    ])
                }
                print(table.render())
            }
        }
    }
}

struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "List messages, newest first.",
        discussion: """
            Examples:
              heraldctl queue --state scheduled --org acme
              heraldctl queue --to "+1 612 555 0123" --limit 10
              heraldctl queue --state failed --json
              heraldctl queue --held unknown_outcome
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Option(help: "Only messages in this state")
    var state: MessageState?
    @Option(help: "Only messages held for this reason")
    var held: HeldReason?
    @Option(help: "Only this organization's messages.")
    var org: String?
    @Option(help: "Only messages to this number (E.164).")
    var to: String?
    @Option(help: "At most this many (1…\(QueueFilter.maxLimit)).")
    var limit = QueueFilter.defaultLimit

    func run() throws {
        let messages = try daemon.request(Admin.queue(QueueFilter(state: state, held: held, org: org, to: to, limit: limit)))
        daemon.output(messages) {
            var table = TextTable(header: ["ID", "ORG", "TO", "KIND", "STATE", "HELD", "NOT BEFORE", "SEGS"])
            for m in messages {
                table.add(["\(m.id)", Render.text(m.org), Render.text(m.to), Render.text(m.kind), m.state.rawValue, Render.text(m.heldReason?.rawValue),
                           Render.instant(m.notBefore), m.segments.map { "\($0)" } ?? "-"])
            }
            print(table.render())
        }
    }
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one message and its whole event timeline.",
        discussion: "Example:\n  heraldctl show 1042"
    )

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The message id (the outbox row's id).")
    var id: Int64

    func run() throws {
        let detail = try daemon.request(Admin.show(MessageRef(id)))
        daemon.output(detail) {
            let m = detail.message
            print("message \(m.id)  \(m.state.rawValue) (\(m.displayStatus))\(m.heldReason.map { ", held: \($0.rawValue)" } ?? "")")
            print("org \(Render.text(m.org))  sender \(Render.text(m.sender))  from \(Render.text(m.from))  to \(Render.text(m.to))  kind \(Render.text(m.kind))")
            print("segments \(m.segments.map { "\($0)" } ?? "-") \(Render.text(m.encoding))  attempts \(m.attempts)  carrier sid \(Render.text(m.carrierSid))")
            if let reason = m.reason { print("reason \(reason)\(m.detail.map { ": \($0)" } ?? "")") }
            print("body: \(detail.body ?? "(purged)")")
            var table = TextTable(header: ["AT", "FROM", "TO", "REASON", "DETAIL"])
            for e in detail.events {
                let extra = [e.httpStatus.map { "HTTP \($0)" }, e.errorCode.map { "error \($0)" }, e.detail].compactMap { $0 }
                table.add([Render.instant(e.at), Render.text(e.from?.rawValue), e.to.rawValue, Render.text(e.reason), extra.isEmpty ? "-" : extra.joined(separator: "; ")])
            }
            print(table.render())
        }
    }
}

struct WhyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "why",
        abstract: "Say what holds a message and when it may go.",
        discussion: "Example:\n  heraldctl why 1042"
    )

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The message id.")
    var id: Int64

    func run() throws {
        let why = try daemon.request(Admin.why(MessageRef(id)))
        daemon.output(why) { print("message \(why.id) is \(why.state.rawValue): \(why.explanation)") }
    }
}

struct UsageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Segments sent this month and in each of the past 12, by calendar month in the org's timezone.",
        discussion: """
            Examples:
              heraldctl usage --org acme
              heraldctl usage --org acme --user alice --json
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Option(help: "Only this organization.")
    var org: String?
    @Option(help: "Only this user (per-user rows instead of the org's totals).")
    var user: String?

    func run() throws {
        let usage = try daemon.request(Admin.usage(UsageRequest(org: org, user: user)))
        daemon.output(usage) {
            var table = TextTable(header: ["ORG", "USER", "MONTH", "MESSAGES", "SEGMENTS"])
            for row in usage.rows {
                table.add([row.org, row.user ?? "(all)", row.month, "\(row.messages)", "\(row.segments)"])
            }
            print(table.render())
        }
    }
}

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Stream message events and inbound replies as they happen, until interrupted.",
        discussion: """
            Examples:
              heraldctl watch
              heraldctl watch --json | jq 'select(.watch == "inbound")'
            """
    )

    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        let client = try daemon.connect()
        do {
            _ = try client.request(Admin.watch())
        } catch let error as AdminError {
            daemon.fail(error.message, code: ExitStatus(error.code))
        }
        // Unbuffered: a watcher piped into another program sees each line as it happens.
        func emit(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
        while true {
            let line: [UInt8]
            do {
                line = try client.readLine()
            } catch {
                daemon.fail("heraldd ended the watch (stopped or restarted)", code: .unavailable)
            }
            if daemon.json {
                emit(String(decoding: line, as: UTF8.self))
                continue
            }
            guard let item = try? AdminJSON.decoder().decode(WatchLine.self, from: Data(line)) else { continue }
            if let e = item.event {
                let extra = [e.reason, e.errorCode.map { "error \($0)" }, e.detail].compactMap { $0 }.joined(separator: "; ")
                emit("\(Render.instant(e.at))  message \(e.messageID)  \(e.from?.rawValue ?? "-") → \(e.to.rawValue)\(extra.isEmpty ? "" : "  \(extra)")")
            } else if let r = item.inbound {
                emit("\(Render.instant(r.receivedAt))  reply from \(r.from) to \(r.to)\(r.org.map { " (\($0))" } ?? ""): \(r.body ?? "")")
            }
        }
    }
}
