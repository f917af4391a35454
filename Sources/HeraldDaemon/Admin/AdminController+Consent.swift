import Dispatch
import Foundation
import HeraldControl
import HeraldCore
import HeraldStore
import Logging

/// The consent commands (docs/consent.md, docs/admin.md): contacts import, a number's consent and its ledger, a
/// staff change, an opt-in request. Every consent change is logged at notice: it is evidence.
extension AdminController {
    func registerConsent(in handlers: inout AdminHandlers) {
        handlers.on(Admin.contactsImport) { piece, call in
            // Said at the first piece, not after megabytes of upload; like any bad piece, it ends the upload.
            guard directory.current.organization(piece.org) != nil else {
                call.upload = ContactsUpload(limit: call.upload.limit)
                throw AdminError(.notFound, "no organization \(String(reflecting: piece.org)); an upload in progress was discarded")
            }
            switch try call.upload.add(piece) {
            case let .partial(received): return .progress(ContactsImportProgress(receivedBytes: received))
            case let .complete(file): return .imported(try await importContacts(file, peer: call.peer))
            }
        }
        handlers.on(Admin.consentShow, requires: .organization) { request, _ in try await showConsent(org: request.org, number: request.number) }
        handlers.on(Admin.consentSet, requires: .organization) { request, call in try await setConsent(request, peer: call.peer) }
        handlers.on(Admin.optInRequest, requires: .organization) { request, call in try await requestOptIn(request, peer: call.peer) }
    }

    private func importContacts(_ upload: ContactsImportChunk, peer: AdminPeer) async throws -> ContactsImportResult {
        guard directory.current.organization(upload.org) != nil else {
            throw AdminError(.notFound, "no organization \(String(reflecting: upload.org))")
        }
        // Reading tens of megabytes of CSV takes seconds of CPU: not on the few threads the
        // dispatcher and the webhooks share.
        let parsed = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Result { () throws(ContactsImportError) in try ContactsCSV.parse(upload.csv) }) }
        }
        let report: ContactsImportReport
        do {
            report = try await database.importContacts(parsed.get(), org: upload.org, changedBy: upload.by, dryRun: upload.dryRun, now: clock.now())
        } catch let error as ContactsImportError {
            throw AdminError(.badRequest, error.description)
        }
        if !report.dryRun {
            logger.notice("contacts import into \(upload.org) by \(peer.description): \(report.imported) of \(report.rows) rows imported, \(report.rejected.count) rejected")
            for consent in report.consents {
                logConsentChange(org: upload.org, number: consent.number, old: consent.old, new: consent.new, type: consent.type,
                                 changedBy: upload.by ?? "-", peer: peer, why: "contacts import row \(consent.row)")
            }
            if !report.released.isEmpty { wake() }
        }
        return ContactsImportResult(
            org: upload.org, dryRun: report.dryRun, rows: report.rows, imported: report.imported, numbers: report.numbers,
            rejected: report.rejected.map { .init(row: $0.row, code: $0.code.rawValue, message: $0.message) },
            ignoredColumns: report.ignoredColumns, consentChanges: report.consents.count,
            canceled: report.canceled, released: report.released
        )
    }

    private func showConsent(org: String, number input: String) async throws -> ConsentShowResult {
        let number = try Self.phoneNumber(input).e164
        let state = try await database.consent(org: org, number: number)
        let history = try await database.consentHistory(org: org, number: number).map {
            ConsentLedgerEntry(
                id: $0.id, at: $0.at, old: $0.old.rawValue, new: $0.new.rawValue, type: $0.type.rawValue, changedBy: $0.changedBy,
                sourceMessageID: $0.sourceMessageID, sourceInboundID: $0.sourceInboundID, wording: $0.wording, note: $0.note
            )
        }
        return ConsentShowResult(org: org, number: number, state: state.rawValue, history: history)
    }

    private func setConsent(_ set: ConsentSetRequest, peer: AdminPeer) async throws -> ConsentSetResult {
        let number = try Self.phoneNumber(set.number).e164
        // The request decoder admits only these; checked again because the ledger is evidence.
        guard let state = ConsentState(rawValue: set.state), state != .unknown,
              let type = ConsentType(rawValue: set.type), type != .smsResponse else {
            throw AdminError(.badRequest, "consent_set takes state \(ConsentSetRequest.states.joined(separator: "|")) and type \(ConsentSetRequest.types.joined(separator: "|"))")
        }
        let effect = try await database.setConsent(ConsentRequest(
            org: set.org, number: number, state: state, type: type, changedBy: set.by, wording: set.wording, note: set.note
        ), now: clock.now())
        if effect.changed {
            logConsentChange(org: set.org, number: number, old: effect.old, new: state, type: type, changedBy: set.by, peer: peer,
                             why: "\(effect.canceled.count) pending canceled, \(effect.released.count) released")
        }
        if !effect.released.isEmpty { wake() }
        return ConsentSetResult(
            org: set.org, number: number, old: effect.old.rawValue, new: state.rawValue, changed: effect.changed, ledgerID: effect.ledgerID,
            canceled: effect.canceled, released: effect.released
        )
    }

    private func requestOptIn(_ request: OptInRequestCommand, peer: AdminPeer) async throws -> OptInRequestAnswer {
        let directory = directory.current
        // Checked by the handler's precondition; a reload may have removed it since.
        guard let organization = directory.organization(request.org) else {
            throw AdminError(.notFound, "no organization \(String(reflecting: request.org))")
        }
        guard let sender = directory.sender(org: request.org, named: request.user) else {
            throw AdminError(.notFound, "no user \(String(reflecting: request.user)) with an active number in \(request.org): an opt-in request goes from the user's own number")
        }
        let to = try Self.phoneNumber(request.to)
        guard let body = directory.consentText(.optInRequest, org: request.org, sender: sender) else {
            throw AdminError(.failed, "the opt-in request template of \(request.org) cannot be filled in; check it with `heraldctl config check`")
        }
        let rules = self.directory.ingestRules
        let now = clock.now()
        let placement: Placement
        switch rules.placement(kind: .optInRequest, to: to, organization: organization, earliest: now) {
        case let .success(placed): placement = placed
        case let .failure(reason): throw AdminError(.conflict, "no sending window lets an opt-in request reach \(to.e164): \(reason.description)")
        }
        // Placed for `now`, the instant the store decides at: the closure only hands it over.
        let result = try await database.requestOptIn(
            org: request.org, sender: sender, to: to.e164, body: body, policy: rules.optInPolicy, now: now,
            requestedBy: peer.description, place: { _ in placement }
        )
        switch result {
        case let .queued(id, placement):
            let when = placement.heldReason.map { "held \($0.rawValue) until \(Timestamp.format(placement.notBefore))" } ?? "due now"
            logger.notice("opt-in request \(id) to \(to.e164) from \(sender.userID) of \(request.org) queued by \(peer.description), \(when)")
            if placement.heldReason == nil { wake() }
            return OptInRequestAnswer(org: request.org, user: sender.userID, to: to.e164, messageID: id, notBefore: placement.notBefore,
                                      heldReason: placement.heldReason?.rawValue, refused: nil)
        case let .refused(refusal):
            return OptInRequestAnswer(org: request.org, user: sender.userID, to: to.e164, messageID: nil, notBefore: nil, heldReason: nil,
                                      refused: OptInRefusal(code: refusal.code, reason: refusal.description, nextAllowed: refusal.nextAllowed))
        }
    }

    static func phoneNumber(_ input: String) throws(AdminError) -> PhoneNumber {
        switch PhoneNumber.parse(input) {
        case let .success(number): return number
        case let .failure(reason): throw AdminError(.badRequest, "\(String(reflecting: input)) is not a US or Canadian phone number: \(reason)")
        }
    }

    private func logConsentChange(
        org: String, number: String, old: ConsentState, new: ConsentState, type: ConsentType, changedBy: String, peer: AdminPeer, why: String
    ) {
        logger.notice("\(number) is now \(new.rawValue) in \(org) (was \(old.rawValue)), recorded by \(changedBy) through \(peer.description); \(why)",
                      metadata: .event(.consentChanged, org: org, [
                          "number": "\(number)", "consent": "\(new.rawValue)", "consent_type": "\(type.rawValue)", "changed_by": "\(changedBy)",
                      ]))
    }
}

extension ConsentShowRequest: OrganizationScoped {}
extension ConsentSetRequest: OrganizationScoped {}
extension OptInRequestCommand: OrganizationScoped {}
