import Foundation
import HeraldCarrier
import HeraldControl
import HeraldCore
import HeraldStore
import Logging

/// The numbers commands (docs/domain.md, docs/carrier.md): buy a local number per user, give numbers back, list
/// who sends from what. Each user's outcome is reported on its own; one user's failure never
/// stops the others. Every change is logged at notice with who asked.
extension AdminController {
    /// Purchases that fail because the number was just sold elsewhere are tried again with the next one.
    static let purchaseAttempts = 3

    func registerNumbers(in handlers: inout AdminHandlers) {
        handlers.on(Admin.numbersList, requires: .organization) { request, _ in try await listNumbers(org: request.org) }
        handlers.on(Admin.numbersProvision, requires: .organization) { request, call in try await provisionNumbers(request, peer: call.peer) }
        handlers.on(Admin.numbersRelease, requires: .organization) { request, call in try await releaseNumbers(request, peer: call.peer) }
    }

    private func listNumbers(org: String) async throws -> NumbersListResult {
        let users = try await database.userNumbers(org: org, ids: nil)
        return NumbersListResult(org: org, users: users.map {
            UserNumberEntry(user: $0.user, name: $0.name, number: $0.number?.e164, cellPhone: $0.cellPhone,
                            carrierSid: $0.number?.carrierSID, provisionedAt: $0.number?.provisionedAt)
        })
    }

    private func provisionNumbers(_ request: NumbersProvisionRequest, peer: AdminPeer) async throws -> NumbersProvisionResult {
        var given: AreaCode?
        if case let .given(text) = try request.choice {
            guard let code = Int(text).flatMap(AreaCode.lookup) else {
                throw AdminError(.badRequest, "\(text) is not a US or Canadian geographic area code; local numbers exist only there "
                    + "(toll-free and other non-geographic codes have none)")
            }
            given = code
        }
        let (client, webhooks) = try numbersClient()
        let known = Dictionary(try await database.userNumbers(org: request.org, ids: request.users).map { ($0.user, $0) },
                               uniquingKeysWith: { first, _ in first })
        var offers: [Int: [String]] = [:]
        var seen: Set<String> = []
        var outcomes: [NumberProvisionOutcome] = []
        for id in request.users {
            guard seen.insert(id).inserted else {
                outcomes.append(.init(user: id, areaCode: nil, error: .init(.duplicate, "\(id) is named more than once; provisioned once")))
                continue
            }
            switch Self.areaCode(for: id, known[id], org: request.org, given: given) {
            case let .failure(failure):
                outcomes.append(.init(user: id, areaCode: nil, error: failure))
            case let .success(areaCode):
                outcomes.append(await buy(for: id, org: request.org, in: areaCode, client: client, webhooks: webhooks,
                                          offers: &offers, peer: peer))
            }
        }
        if outcomes.contains(where: { $0.number != nil }) { await refreshAfterNumbersChanged() }
        return NumbersProvisionResult(org: request.org, users: outcomes)
    }

    private func releaseNumbers(_ request: NumbersReleaseRequest, peer: AdminPeer) async throws -> NumbersReleaseResult {
        let known = Dictionary(try await database.userNumbers(org: request.org, ids: request.users).map { ($0.user, $0) },
                               uniquingKeysWith: { first, _ in first })
        guard request.confirm else { throw try await unconfirmedRelease(request, known: known) }
        let (client, _) = try numbersClient()
        var seen: Set<String> = []
        var outcomes: [NumberReleaseOutcome] = []
        for id in request.users {
            guard seen.insert(id).inserted else {
                outcomes.append(.init(user: id, number: nil, error: .init(.duplicate, "\(id) is named more than once; released once")))
                continue
            }
            switch Self.releasable(id, known[id], org: request.org) {
            case let .failure(failure):
                outcomes.append(.init(user: id, number: known[id]?.number?.e164, error: failure))
            case let .success((number, sid)):
                outcomes.append(await release(user: id, org: request.org, number: number, sid: sid, client: client, peer: peer))
            }
        }
        await refreshAfterNumbersChanged()
        return NumbersReleaseResult(org: request.org, users: outcomes)
    }

    // MARK: provisioning, one user

    /// Where to look for the user's number, or why there is nowhere to look.
    private static func areaCode(for id: String, _ user: UserNumbers?, org: String, given: AreaCode?) -> Result<AreaCode, NumbersFailure> {
        guard let user else {
            return .failure(.init(.unknownUser, "no user \(String(reflecting: id)) in \(org); add the user first (heraldctl user add)"))
        }
        if let number = user.number {
            return .failure(.init(.hasNumber, "\(id) already sends from \(number.e164); a user has one number at most: "
                + "release it first (heraldctl numbers release)"))
        }
        if let given { return .success(given) }
        guard let cell = user.cellPhone, cell.contains(where: { !$0.isWhitespace }) else {
            return .failure(.init(.noCellPhone, "\(id) has no cell phone on record, so there is no area code to match; give --area-code NNN"))
        }
        switch PhoneNumber.parse(cell) {
        case let .success(number):
            guard let code = Int(number.areaCode).flatMap(AreaCode.lookup) else {
                return .failure(.init(.noCellPhone, "\(id)'s cell phone \(number.e164) has a non-geographic area code; give --area-code NNN"))
            }
            return .success(code)
        case let .failure(reason):
            return .failure(.init(.noCellPhone, "\(id)'s cell phone \(String(reflecting: cell)) is not a US or Canadian number (\(reason)); "
                + "fix it or give --area-code NNN"))
        }
    }

    /// Searches (once per area code per request), buys the first number on offer and makes it the
    /// user's. `offers` carries what is left on offer to the next user of the same area code.
    private func buy(
        for user: String, org: String, in areaCode: AreaCode, client: any NumbersClient, webhooks: NumberWebhooks,
        offers: inout [Int: [String]], peer: AdminPeer
    ) async -> NumberProvisionOutcome {
        let npa = String(areaCode.npa)
        func failure(_ code: NumbersFailure.Code, _ message: String) -> NumberProvisionOutcome {
            .init(user: user, areaCode: npa, error: .init(code, message))
        }
        var purchased: PurchasedNumber?
        for _ in 0..<Self.purchaseAttempts where purchased == nil {
            if offers[areaCode.npa]?.isEmpty ?? true {
                do {
                    // One of ours (written in the configuration, say) is not for sale to us, whatever the list says.
                    let senders = directory.current
                    offers[areaCode.npa] = try await client.search(areaCode: areaCode).filter { senders.sender(number: $0) == nil }
                } catch {
                    return failure(.carrier, "\(error)")
                }
            }
            guard let candidate = offers[areaCode.npa]?.first else {
                return failure(.noNumbers, "the carrier has no local numbers left in area code \(npa) (\(areaCode.region.rawValue)); "
                    + "try a nearby one with --area-code")
            }
            offers[areaCode.npa]?.removeFirst()
            do throws(NumbersError) {
                purchased = try await client.buy(candidate, webhooks: webhooks)
            } catch let error where error.soldMeanwhile {
                logger.info("\(candidate) was sold before Herald could buy it for \(user) of \(org): \(error)")
            } catch {
                return failure(.carrier, "\(error)")
            }
        }
        guard let purchased else {
            return failure(.noNumbers, "\(Self.purchaseAttempts) numbers in area code \(npa) were sold before Herald could buy them; try again")
        }
        let recording: ProvisionRecording
        do {
            recording = try await database.recordProvisioned(org: org, user: user, number: purchased.e164, carrierSID: purchased.sid,
                                                             by: peer.description, now: clock.now())
        } catch {
            let undone = await giveBack(purchased, client: client)
            return failure(.failed, "bought \(purchased.e164) but could not record it (\(error)); \(undone)")
        }
        switch recording {
        case .recorded:
            logger.notice("\(purchased.e164) (\(purchased.sid)) provisioned for \(user) of \(org) in area code \(npa) by \(peer.description)",
                          metadata: .event(.numberProvisioned, org: org, carrierSid: purchased.sid, [
                              "number": "\(purchased.e164)", "user": "\(user)", "changed_by": "\(peer.description)",
                          ]))
            return .init(user: user, areaCode: npa, number: purchased.e164, carrierSid: purchased.sid)
        case .unknownUser:
            return failure(.unknownUser, "\(user) was removed from \(org) meanwhile; \(await giveBack(purchased, client: client))")
        case let .userHasNumber(number):
            return failure(.hasNumber, "\(user) got \(number) meanwhile; \(await giveBack(purchased, client: client))")
        case let .numberTaken(owner, ownerUser):
            return failure(.failed, "\(purchased.e164) is already active for \(ownerUser ?? "a number without a user") of \(owner); "
                + (await giveBack(purchased, client: client)))
        }
    }

    /// A number bought but not attached would be billed with nobody using it: release it again.
    private func giveBack(_ number: PurchasedNumber, client: any NumbersClient) async -> String {
        do {
            _ = try await client.release(sid: number.sid)
            return "it was released again"
        } catch {
            logger.error("\(number.e164) (\(number.sid)) was bought but not attached and could not be released: \(error)")
            return "releasing it again failed too (\(error)): release \(number.sid) in the carrier's console"
        }
    }

    // MARK: release, one user

    /// The user's number and its carrier sid, or why there is nothing Herald can release.
    private static func releasable(_ id: String, _ user: UserNumbers?, org: String) -> Result<(String, String), NumbersFailure> {
        guard let user else { return .failure(.init(.unknownUser, "no user \(String(reflecting: id)) in \(org)")) }
        guard let number = user.number else { return .failure(.init(.noNumber, "\(id) has no provisioned number")) }
        guard let sid = number.carrierSID else {
            return .failure(.init(.configured, "\(number.e164) of \(id) comes from the configuration ([[orgs.users]]), not from "
                + "numbers provision: Herald has no carrier sid for it, and a reload would bring it back. Remove it from the "
                + "configuration and release it in the carrier's console"))
        }
        return .success((number.e164, sid))
    }

    private func release(user: String, org: String, number: String, sid: String, client: any NumbersClient, peer: AdminPeer) async -> NumberReleaseOutcome {
        // Stop claiming texts from the number before the carrier stops taking them: any claimed
        // meanwhile are held sender_released instead of failing at the carrier.
        directory.withhold(sender: number)
        let release: NumberRelease
        do {
            release = try await client.release(sid: sid)
        } catch {
            try? await directory.refresh()
            _ = try? await database.resumeSenderReleased(from: number, now: clock.now())
            wake()
            return .init(user: user, number: number, error: .init(.carrier, "\(error); \(number) is still \(user)'s"))
        }
        let now = clock.now()
        let recording: ReleaseRecording
        do {
            recording = try await database.recordReleased(org: org, user: user, by: peer.description, now: now,
                                                          recheck: now + SendPolicy.releasedRecheck)
        } catch {
            logger.error("\(number) was released at the carrier but could not be detached from \(user) of \(org): \(error)")
            return .init(user: user, number: number, error: .init(.failed, "\(number) was released at the carrier but could not be "
                + "detached (\(error)); run the release again"))
        }
        switch recording {
        case let .released(_, held):
            let gone = release == .alreadyGone ? " (the carrier no longer had it)" : ""
            logger.notice("\(number) (\(sid)) of \(user) of \(org) released by \(peer.description)\(gone); \(held.count) waiting texts held sender_released",
                          metadata: .event(.numberReleased, org: org, carrierSid: sid, [
                              "number": "\(number)", "user": "\(user)", "changed_by": "\(peer.description)",
                          ]))
            return .init(user: user, number: number, held: held, alreadyReleasedAtCarrier: release == .alreadyGone)
        case .noActiveNumber:
            // Another release got there first; the carrier side is done either way.
            return .init(user: user, number: number, alreadyReleasedAtCarrier: release == .alreadyGone,
                         error: .init(.noNumber, "\(user)'s number was released meanwhile"))
        }
    }

    /// The refusal of a release without `confirm`: what it would do, with nothing changed.
    private func unconfirmedRelease(_ request: NumbersReleaseRequest, known: [String: UserNumbers]) async throws -> AdminError {
        var would: [String] = []
        var cannot: [String] = []
        var seen: Set<String> = []
        for id in request.users where seen.insert(id).inserted {
            switch Self.releasable(id, known[id], org: request.org) {
            case let .failure(failure): cannot.append(failure.message)
            case let .success((number, _)):
                let pending = try await database.pendingCount(from: number)
                would.append("\(number) of \(id) (\(pending == 0 ? "no texts waiting" : "\(pending) waiting text\(pending == 1 ? "" : "s") would be held sender_released"))")
            }
        }
        var message = "numbers release is irreversible: a released number goes back on sale and may never be had again. "
        message += would.isEmpty ? "It would release nothing" : "It would release \(would.joined(separator: ", "))"
        if !cannot.isEmpty { message += "; left alone: \(cannot.joined(separator: "; "))" }
        message += ". Nothing was changed; confirm to go ahead (heraldctl numbers release … --confirm-irreversible)"
        return AdminError(.conflict, message)
    }

    // MARK: shared

    /// The carrier has already done its part, so the report must reach the operator even if
    /// ingest and dispatch could not be told.
    private func refreshAfterNumbersChanged() async {
        do {
            try await directory.refresh()
        } catch {
            logger.error("numbers changed but the senders could not be reloaded (\(error)); send heraldd SIGHUP to reload them")
        }
    }

    private func numbersClient() throws(AdminError) -> (any NumbersClient, NumberWebhooks) {
        guard let numbers else { throw AdminError(.failed, "this heraldd has no carrier numbers API configured") }
        guard let client = numbers.client else {
            throw AdminError(.failed, "the carrier's numbers API is unavailable: \(numbers.unavailable)")
        }
        return (client, numbers.webhooks)
    }
}

extension NumbersError {
    /// A number gone between search and purchase: another buyer was quicker (error 21422).
    fileprivate var soldMeanwhile: Bool {
        if case let .rejected(_, _, code, _) = self { return code == 21422 }
        return false
    }
}

extension OrganizationRef: OrganizationScoped {}
extension NumbersProvisionRequest: OrganizationScoped {}
extension NumbersReleaseRequest: OrganizationScoped {}
