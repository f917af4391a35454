import Foundation
import HeraldControl
import HeraldCore
import HeraldStore
import Logging

/// The organization, user and template commands (docs/domain.md). Each change is validated by the
/// store, recorded in `admin_change` with who made it, logged at notice, and in force for the
/// next ingested row: the directory is reloaded at once.
extension AdminController {
    func registerOrganizations(in handlers: inout AdminHandlers) {
        handlers.on(Admin.orgCreate) { request, call in try await createOrganization(request.org, request.fields, peer: call.peer) }
        handlers.on(Admin.orgSet) { request, call in try await changeOrganization(request.org, request.fields, peer: call.peer) }
        handlers.on(Admin.orgShow) { request, _ in try await showOrganization(request.org) }
        handlers.on(Admin.orgList) { _, _ in try await listOrganizations() }
        handlers.on(Admin.userAdd) { fields, call in try await addUser(fields, peer: call.peer) }
        handlers.on(Admin.userSet) { fields, call in try await changeUser(fields, peer: call.peer) }
        handlers.on(Admin.userList) { request, _ in try await listUsers(request.org) }
        handlers.on(Admin.templateSet) { request, call in try await setTemplate(request.org, request.template, request.text, peer: call.peer) }
        handlers.on(Admin.templateList) { request, _ in try await listTemplates(request.org) }
        handlers.on(Admin.templateDelete) { request, call in try await deleteTemplate(request.org, request.template, peer: call.peer) }
    }

    private func createOrganization(_ org: String, _ fields: OrganizationFields, peer: AdminPeer) async throws -> OrganizationResult {
        let settings = Self.changes(fields).applied(to: OrganizationSettings(name: fields.name ?? org))
        let entry = try await database.createOrganization(id: org, settings: settings, actor: peer.description, now: clock.now())
        try await changed("organization \(org) created", org: org, peer: peer, detail: Self.changes(fields).summary)
        return Self.result(entry)
    }

    private func changeOrganization(_ org: String, _ fields: OrganizationFields, peer: AdminPeer) async throws -> OrganizationResult {
        let changes = Self.changes(fields)
        let entry = try await database.changeOrganization(id: org, changes: changes, actor: peer.description, now: clock.now())
        try await changed("organization \(org) changed", org: org, peer: peer, detail: changes.summary)
        return Self.result(entry)
    }

    private func showOrganization(_ org: String) async throws -> OrganizationResult {
        guard let entry = try await database.organizations(id: org).first else { throw DirectoryChangeError.unknownOrganization(org) }
        return Self.result(entry)
    }

    private func listOrganizations() async throws -> OrganizationListResult {
        OrganizationListResult(organizations: try await database.organizations(id: nil).map(Self.result))
    }

    private func addUser(_ fields: UserFields, peer: AdminPeer) async throws -> UserResult {
        let settings = UserSettings(name: fields.name ?? fields.user, cellPhone: fields.cellPhone, email: fields.email, signature: fields.signature,
                                    forwardReplies: fields.forwardReplies ?? false)
        let entry = try await database.addUser(org: fields.org, id: fields.user, settings: settings, actor: peer.description, now: clock.now())
        try await changed("user \(fields.user) added to \(fields.org)", org: fields.org, peer: peer, detail: Self.changes(fields).summary)
        return Self.result(entry)
    }

    private func changeUser(_ fields: UserFields, peer: AdminPeer) async throws -> UserResult {
        let changes = Self.changes(fields)
        let entry = try await database.changeUser(org: fields.org, id: fields.user, changes: changes, actor: peer.description, now: clock.now())
        try await changed("user \(fields.user) of \(fields.org) changed", org: fields.org, peer: peer, detail: changes.summary)
        return Self.result(entry)
    }

    private func listUsers(_ org: String) async throws -> UserListResult {
        UserListResult(org: org, users: try await database.users(org: org).map(Self.result))
    }

    private func setTemplate(_ org: String, _ name: String, _ text: String, peer: AdminPeer) async throws -> TemplateResult {
        let entry = try await database.setTemplate(org: org, name: name, text: text, actor: peer.description, now: clock.now())
        try await changed("template \(name) of \(org) set", org: org, peer: peer, detail: String(reflecting: text))
        return TemplateResult(org: org, template: name, text: entry.text, variables: entry.variables)
    }

    private func listTemplates(_ org: String) async throws -> TemplateListResult {
        TemplateListResult(org: org, templates: try await database.templates(org: org).map {
            TemplateResult(org: org, template: $0.name, text: $0.text, variables: $0.variables)
        })
    }

    private func deleteTemplate(_ org: String, _ name: String, peer: AdminPeer) async throws -> Empty {
        try await database.deleteTemplate(org: org, name: name, actor: peer.description, now: clock.now())
        try await changed("template \(name) of \(org) deleted", org: org, peer: peer, detail: "")
        return Empty()
    }

    /// Logs the change and puts it in force: the next ingested row and claim see it.
    func changed(_ what: String, org: String, peer: AdminPeer, detail: String) async throws {
        logger.notice("\(what) by \(peer.description)\(detail.isEmpty ? "" : ": \(detail)")",
                      metadata: .event(.directoryChanged, org: org, ["changed_by": "\(peer.description)"]))
        try await directory.refresh()
    }

    private static func changes(_ fields: OrganizationFields) -> OrganizationChanges {
        var texts: [ConsentTexts.Purpose: String] = [:]
        texts[.optInRequest] = fields.optinTemplate
        texts[.optInConfirmation] = fields.optinConfirmation
        texts[.optOutConfirmation] = fields.optoutConfirmation
        texts[.help] = fields.helpText
        return OrganizationChanges(
            name: fields.name, timeZone: fields.timezone, windowStart: fields.windowStart, windowEnd: fields.windowEnd,
            weekdays: fields.weekdays, smartEncoding: fields.smartEncoding, texts: texts
        )
    }

    private static func changes(_ fields: UserFields) -> UserChanges {
        UserChanges(name: fields.name, cellPhone: fields.cellPhone, email: fields.email, signature: fields.signature, forwardReplies: fields.forwardReplies)
    }

    static func result(_ entry: OrganizationEntry) -> OrganizationResult {
        let settings = entry.settings
        return OrganizationResult(
            org: entry.id, name: settings.name, managedBy: entry.managedBy, paused: entry.paused, timezone: settings.timeZone,
            windowStart: settings.windowStart, windowEnd: settings.windowEnd, weekdays: settings.weekdays, smartEncoding: settings.smartEncoding,
            optinTemplate: settings.texts[.optInRequest], optinConfirmation: settings.texts[.optInConfirmation],
            optoutConfirmation: settings.texts[.optOutConfirmation], helpText: settings.texts[.help], users: entry.users.map(result)
        )
    }

    static func result(_ entry: UserEntry) -> UserResult {
        UserResult(
            org: entry.org, user: entry.id, name: entry.settings.name, managedBy: entry.managedBy, paused: entry.paused,
            cellPhone: entry.settings.cellPhone, email: entry.settings.email, signature: entry.settings.signature,
            forwardReplies: entry.settings.forwardReplies, number: entry.number, credits: entry.credits
        )
    }
}

extension DirectoryChangeError {
    var code: AdminError.Code {
        switch self {
        case .unknownOrganization, .unknownUser, .unknownTemplate: .notFound
        case .organizationExists, .userExists, .managedByConfiguration: .conflict
        case .invalid, .creditsBelowZero: .badRequest
        }
    }
}
