import Foundation
import HeraldControl
import HeraldCore
import HeraldStore

/// `credits_allocate` and `credits_show` (docs/domain.md#users): segment credits per user, beside the
/// month's usage of each user and of the whole organization.
extension AdminController {
    func registerCredits(in handlers: inout AdminHandlers) {
        handlers.on(Admin.creditsAllocate) { request, call in try await allocateCredits(request, peer: call.peer) }
        handlers.on(Admin.creditsShow) { request, _ in try await showCredits(request.org, user: request.user) }
    }

    private func allocateCredits(_ request: CreditsAllocateRequest, peer: AdminPeer) async throws -> CreditsAllocateResult {
        let by = request.by ?? peer.description
        let allocation = try await database.allocateCredits(
            org: request.org, user: request.user, segments: request.segments, exactly: request.exactly, changedBy: by,
            note: request.note, now: clock.now()
        )
        try await changed("credits of \(request.user) in \(request.org) now \(allocation.new) (were \(allocation.old.map(String.init) ?? "unmetered"))",
                    org: request.org, peer: peer, detail: "\(allocation.released) held messages released")
        if allocation.released > 0 { wake() }
        return CreditsAllocateResult(org: request.org, user: request.user, old: allocation.old, new: allocation.new, released: allocation.released)
    }

    private func showCredits(_ org: String, user: String?) async throws -> CreditsShowResult {
        guard let organization = directory.current.organization(org) else { throw DirectoryChangeError.unknownOrganization(org) }
        let month = UsageMonth(timeZone: TimeZone(identifier: organization.timeZone) ?? .gmt).key(for: clock.now())
        let balances = try await database.creditBalances(org: org, user: user, month: month)
        if let user, balances.isEmpty { throw DirectoryChangeError.unknownUser(org: org, user: user) }
        let orgUsed = try await database.usage(org: org, user: nil, months: [month]).reduce(0) { $0 + $1.segments }
        return CreditsShowResult(org: org, month: month, orgUsedThisMonth: orgUsed, users: balances.map {
            .init(user: $0.user, name: $0.name, credits: $0.credits, usedThisMonth: $0.usedThisMonth, held: $0.held)
        })
    }
}
