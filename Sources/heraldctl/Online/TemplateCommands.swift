import ArgumentParser
import Foundation
import HeraldControl

struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Named texts outbox rows may use instead of a body (outbox.template, outbox.variables).",
        subcommands: [TemplateSetCommand.self, TemplateListCommand.self, TemplateDeleteCommand.self]
    )
}

struct TemplateSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Create or replace a template.",
        discussion: """
            Example:
              heraldctl template set reminder --org acme "Hi {first_name}, see you {day} at {time}. {org_name}"
            {org_name} and {user_name} come from Herald, {first_name} and {last_name} from the recipient's contact
            record; the row's variables (a JSON object) give the rest and override these. A row whose template needs a
            variable nobody gives is rejected with template_variable_missing, naming it.
            """
    )

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "Template name: a-z, 0-9, '-', '_', '.'.")
    var template: String
    @Option(help: "Organization id.")
    var org: String
    @Argument(help: "The text, with {variables}.")
    var text: String

    func run() throws {
        let result = try daemon.request(Admin.templateSet(TemplateRequest(org: org, template: template, text: text)))
        daemon.output(result) { print("\(result.template) of \(result.org) set; variables: \(result.variables.map { "{\($0)}" }.joined(separator: " "))") }
    }
}

struct TemplateListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List an organization's templates.")

    @OptionGroup var daemon: DaemonOptions
    @Option(help: "Organization id.")
    var org: String

    func run() throws {
        let result = try daemon.request(Admin.templateList(OrganizationRef(org)))
        daemon.output(result) {
            var table = TextTable(header: ["TEMPLATE", "VARIABLES", "TEXT"])
            for template in result.templates {
                table.add([template.template, template.variables.joined(separator: ","), template.text])
            }
            print(table.render())
        }
    }
}

struct TemplateDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a template; rows naming it are rejected from then on.")

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "Template name.")
    var template: String
    @Option(help: "Organization id.")
    var org: String

    func run() throws {
        let result = try daemon.request(Admin.templateDelete(TemplateRef(org: org, template: template)))
        daemon.output(result) { print("\(template) of \(org) deleted") }
    }
}
