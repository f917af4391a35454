import ArgumentParser
import HeraldControl

@main
struct Heraldctl: ParsableCommand {
    static func main() {
        main(GlobalOptionPlacement.arranged(Array(CommandLine.arguments.dropFirst())))
    }

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

            The others talk to heraldd over its admin socket: --socket PATH (default
            /run/herald/admin.sock, or $HERALD_SOCKET) and --json go before or after the
            command. Group herald may read; changes need the admin group, root or the herald user:
              heraldctl status                          queue depth by state, send rate, what is paused
              heraldctl queue --state scheduled --org acme
              heraldctl show 1042                       a message and its whole timeline
              heraldctl why 1042                        what holds it, and when it may go
              heraldctl retry 1042 | heraldctl retry --failed --org acme
              heraldctl cancel 1042 | heraldctl cancel --org acme --state scheduled
              heraldctl pause org acme | heraldctl resume sender "+1 612 555 0100"
              heraldctl send --org acme --from alice --to 6125550123 "Your table is ready"
              heraldctl usage --org acme                segments per month, this and the past 12
              heraldctl watch                           events and replies, live
              heraldctl backup /var/lib/herald/backup.db
              heraldctl contacts import contacts.csv --org acme --by alice [--dry-run]
              heraldctl consent show 6125550123 --org acme     state and the whole ledger
              heraldctl consent set 6125550123 --org acme --state opted_out --type phone \\
                  --by alice
              heraldctl optin request --org acme --user alice --to 6125550123
              heraldctl org create acme --name "Acme" --timezone America/Denver --window 10:00-19:00
              heraldctl user add alice --org acme --name "Alice" --cell-phone 6125550188
              heraldctl template set reminder --org acme "Hi {first_name}, see you at {time}"
              heraldctl credits allocate --org acme --user alice 1000 | heraldctl credits show --org acme
              heraldctl group add members --org acme --numbers-file numbers.txt
              heraldctl broadcast show 5120             per-recipient outcomes
              heraldctl numbers provision --org acme --users alice,bob \\
                  --match-cell-area-code
              heraldctl numbers release --org acme --users alice --confirm-irreversible
              heraldctl numbers list --org acme         users, numbers, cell phones

            Every command takes --json for scripts. Exit status: 0 success; 1 the answer is "no" (an
            invalid number, a configuration with problems, no such message, a state that does not
            allow it); 64 bad usage; 69 heraldd not reachable; 70 the daemon failed to carry it out;
            77 permission denied.
            """,
        version: HeraldVersion.current,
        subcommands: [
            SegmentsCommand.self, NumberCommand.self, WindowCommand.self, ConfigCommand.self,
            StatusCommand.self, QueueCommand.self, ShowCommand.self, WhyCommand.self, RetryCommand.self, CancelCommand.self,
            PauseCommand.self, ResumeCommand.self, SendCommand.self, UsageCommand.self, WatchCommand.self, BackupCommand.self,
            ContactsCommand.self, ConsentCommand.self, OptInCommand.self,
            OrgCommand.self, UserCommand.self, TemplateCommand.self, CreditsCommand.self, GroupsCommand.self, BroadcastCommand.self,
            NumbersCommand.self,
        ]
    )
}
