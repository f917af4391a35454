import Foundation
import HeraldControl
import HeraldCore
import HeraldStore

/// Contact groups and broadcasts (docs/states.md#message-kinds, `bulk`). Membership decides who a broadcast texts, so
/// every change is logged at notice with who made it.
extension AdminController {
    func registerGroups(in handlers: inout AdminHandlers) {
        handlers.on(Admin.groupCreate, requires: .organization) { group, call in
            try await groups {
                let created = try await database.createGroup(org: group.org, name: group.name, actor: call.peer.description, now: clock.now())
                logger.notice("group \(created.name) created in \(group.org) by \(call.peer.description)")
                return Self.summary(created)
            }
        }
        handlers.on(Admin.groupList) { request, _ in
            try await groups {
                if let org = request.org, directory.current.organization(org) == nil {
                    throw AdminError(.notFound, "no organization \(String(reflecting: org))")
                }
                return try await database.groups(org: request.org).map(Self.summary)
            }
        }
        handlers.on(Admin.groupShow, requires: .organization) { request, _ in
            try await groups {
                let (group, members) = try await database.group(org: request.org, name: request.name, limit: request.limit)
                return GroupShowResult(group: Self.summary(group), members: members.map {
                    .init(contact: $0.contactID, externalId: $0.externalID, name: $0.name, preferredSms: $0.preferredNumber)
                })
            }
        }
        handlers.on(Admin.groupAdd, requires: .organization) { members, call in
            try await groups { try await change(members, remove: false, peer: call.peer) }
        }
        handlers.on(Admin.groupRemove, requires: .organization) { members, call in
            try await groups { try await change(members, remove: true, peer: call.peer) }
        }
        handlers.on(Admin.groupDelete, requires: .organization) { group, call in
            try await groups {
                let members = try await database.deleteGroup(org: group.org, name: group.name, actor: call.peer.description, now: clock.now())
                logger.notice("group \(group.name) of \(group.org) deleted by \(call.peer.description) (\(members) members)")
                return GroupDeleteResult(org: group.org, name: group.name, members: members)
            }
        }
        handlers.on(Admin.broadcastShow) { request, _ in try await showBroadcast(request) }
    }

    /// The store's group errors in the socket's codes.
    private func groups<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as ContactGroupError {
            switch error {
            case .unknown: throw AdminError(.notFound, error.description)
            case .badName: throw AdminError(.badRequest, error.description)
            case .exists, .broadcastInProgress: throw AdminError(.conflict, error.description)
            }
        }
    }

    private func change(_ members: GroupMembers, remove: Bool, peer: AdminPeer) async throws -> GroupChangeResult {
        var refs: [GroupMemberRef] = members.externalIds.map { .externalID($0) }
        var unknown: [GroupChangeResult.Unknown] = []
        for input in members.numbers {
            switch PhoneNumber.parse(input) {
            case let .success(number): refs.append(.number(number.e164))
            case let .failure(problem): unknown.append(.init(member: input, reason: "not a US or Canadian number: \(problem)"))
            }
        }
        let change = try await database.changeMembers(org: members.org, name: members.name, refs, remove: remove, actor: peer.description, now: clock.now())
        for ref in change.unknown {
            switch ref {
            case let .number(number): unknown.append(.init(member: number, reason: "no contact of \(members.org) has this number"))
            case let .externalID(id): unknown.append(.init(member: id, reason: "no contact of \(members.org) has this external id"))
            }
        }
        if change.changed > 0 {
            logger.notice("group \(members.name) of \(members.org): \(change.changed) members \(remove ? "removed" : "added") by \(peer.description)")
        }
        return GroupChangeResult(org: members.org, name: members.name, changed: change.changed, unchanged: change.unchanged, unknown: unknown)
    }

    private func showBroadcast(_ request: BroadcastShowRequest) async throws -> BroadcastShowResult {
        guard let (record, tallies, recipients) = try await database.broadcast(request.message, state: request.state?.rawValue, limit: request.limit) else {
            throw AdminError(.notFound, "no broadcast \(request.message); an outbox row with to_group becomes one when heraldd ingests it (heraldctl show \(request.message) says why if it was rejected)")
        }
        return BroadcastShowResult(
            id: record.id, org: record.org, sender: record.sender, group: record.group, body: record.body, state: record.state,
            members: record.members, accepted: record.accepted, rejected: record.rejected, createdAt: record.createdAt,
            finishedAt: record.finishedAt,
            counts: tallies.map { .init(state: $0.state, reason: $0.reason, count: $0.count) },
            recipients: recipients.map { .init(message: $0.messageID, to: $0.to, state: $0.state, reason: $0.reason, detail: $0.detail) }
        )
    }

    private static func summary(_ group: ContactGroupSummary) -> GroupSummary {
        GroupSummary(org: group.org, name: group.name, members: group.members, createdAt: group.createdAt)
    }
}

extension GroupRef: OrganizationScoped {}
extension GroupShowRequest: OrganizationScoped {}
extension GroupMembers: OrganizationScoped {}
