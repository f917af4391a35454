import ArgumentParser
import Foundation
import HeraldControl

struct ContactsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts",
        abstract: "Import an organization's contacts.",
        subcommands: [ContactsImportCommand.self]
    )
}

struct ContactsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import contacts from a CSV file: valid rows in one transaction, each bad row reported.",
        discussion: """
            Examples:
              heraldctl contacts import contacts.csv --org acme --dry-run
              heraldctl contacts import contacts.csv --org acme --by alice
            Header row required: first_name,last_name,email and at least one of phone,
            mobile_phone, work_phone, home_phone, other_phone. Optional: preferred_sms,
            external_id, owner, consent (opted_in|opted_out) with consent_type
            (email|phone|paper|web|api) and consent_wording; consent needs --by.
            Rows are numbered as a spreadsheet shows them (the header is row 1).
            Exit status 1 when any row was rejected (the valid rows are imported all the same).
            Needs the admin group, root or the herald user, except with --dry-run.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The CSV file, UTF-8.")
    var file: String
    @Option(help: "Organization id.")
    var org: String
    @Option(help: ArgumentHelp("Who attests to the file's consent columns (recorded as changed_by).", valueName: "username"))
    var by: String?
    @Flag(help: "Check the file and report what an import would do, writing nothing.")
    var dryRun = false

    func run() throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            daemon.fail("cannot read \(file): \(error.localizedDescription)", code: .usage)
        }
        guard let csv = String(validating: data, as: UTF8.self) else {
            daemon.fail("\(file) is not UTF-8 text; save it as \"CSV UTF-8\"", code: .usage)
        }
        let pieces = try ContactsImportChunk.pieces(of: csv, org: org, by: by, dryRun: dryRun)
        // One connection for the whole upload: heraldd keeps the pieces per connection.
        let client = try daemon.connect()
        for piece in pieces.dropLast() {
            _ = try daemon.request(Admin.contactsImport(piece), on: client)
        }
        guard let result = try daemon.request(Admin.contactsImport(pieces[pieces.count - 1]), on: client).result else {
            daemon.fail("heraldd answered the last piece of the upload with progress, not the import's result", code: .failed)
        }
        daemon.output(result) {
            let verb = result.dryRun ? "would import" : "imported"
            print("\(result.dryRun ? "dry run: " : "")\(verb) \(result.imported) of \(result.rows) rows into \(result.org) "
                + "(\(result.numbers) numbers, \(result.consentChanges) consent records)"
                + (result.canceled.isEmpty ? "" : "; \(result.canceled.count) pending canceled")
                + (result.released.isEmpty ? "" : "; \(result.released.count) released"))
            if !result.ignoredColumns.isEmpty { print("ignored columns: \(result.ignoredColumns.joined(separator: ", "))") }
            if !result.rejected.isEmpty {
                print("\(result.rejected.count) rejected:")
                var table = TextTable(header: ["ROW", "CODE", "REASON"])
                for row in result.rejected { table.add(["\(row.row)", row.code, row.message]) }
                print(table.render())
            }
        }
        if !result.rejected.isEmpty { throw ExitCode(ExitStatus.refused.rawValue) }
    }
}
