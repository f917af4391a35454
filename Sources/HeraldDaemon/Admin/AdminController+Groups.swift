import Foundation
import HeraldControl
import HeraldCore
import HeraldStore

/// Contact groups and broadcasts (docs/states.md#message-kinds, `bulk`). Membership decides who a broadcast texts, so
/// every change is logged at notice with who made it.
extension AdminController {
    func group(_ command: GroupCommand, peer: AdminPeer) async throws -> any Codable & Sendable {
        do {
            return try await carryOut(command, peer: peer)
        } catch let error as ContactGroupError {
            switch error {
            case .unknown: throw AdminError(.notFound, error.description)
            case .badName: throw AdminError(.badRequest, error.description)
            case .exists, .broadcastInProgress: throw AdminError(.conflict, error.description)
            }
        }
    }

    private func carryOut(_ command: GroupCommand, peer: AdminPeer) async throws -> any Codable & Sendable {
        switch command {
        case let .create(org, name):
            try requireOrganization(org)
            let group = try await database.createGroup(org: org, name: name, actor: peer.description, now: clock.now())
            logger.notice("group \(group.name) created in \(org) by \(peer.description)")
            return Self.summary(group)
        case let .list(org):
            if let org { try requireOrganization(org) }
            return try await database.groups(org: org).map(Self.summary)
        case let .show(org, name, limit):
            try requireOrganization(org)
            let (group, members) = try await database.group(org: org, name: name, limit: limit)
            return GroupShowResult(group: Self.summary(group), members: members.map {
                .init(contact: $0.contactID, externalId: $0.externalID, name: $0.name, preferredSms: $0.preferredNumber)
            })
        case let .add(members), let .remove(members):
            try requireOrganization(members.org)
            let remove = if case .remove = command { true } else { false }
            var refs: [GroupMemberRef] = members.externalIDs.map { .externalID($0) }
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
        case let .delete(org, name):
            try requireOrganization(org)
            let members = try await database.deleteGroup(org: org, name: name, actor: peer.description, now: clock.now())
            logger.notice("group \(name) of \(org) deleted by \(peer.description) (\(members) members)")
            return GroupDeleteResult(org: org, name: name, members: members)
        }
    }

    func showBroadcast(_ request: BroadcastShowRequest) async throws -> BroadcastShowResult {
        if let state = request.state, MessageState(rawValue: state) == nil {
            throw AdminError(.badRequest, "no state \(String(reflecting: state)); states: \(MessageState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let (record, tallies, recipients) = try await database.broadcast(request.id, state: request.state, limit: request.limit) else {
            throw AdminError(.notFound, "no broadcast \(request.id); an outbox row with to_group becomes one when heraldd ingests it (heraldctl show \(request.id) says why if it was rejected)")
        }
        return BroadcastShowResult(
            id: record.id, org: record.org, sender: record.sender, group: record.group, body: record.body, state: record.state,
            members: record.members, accepted: record.accepted, rejected: record.rejected, createdAt: record.createdAt,
            finishedAt: record.finishedAt,
            counts: tallies.map { .init(state: $0.state, reason: $0.reason, count: $0.count) },
            recipients: recipients.map { .init(message: $0.messageID, to: $0.to, state: $0.state, reason: $0.reason, detail: $0.detail) }
        )
    }

    private func requireOrganization(_ org: String) throws(AdminError) {
        guard directory.current.organization(org) != nil else { throw AdminError(.notFound, "no organization \(String(reflecting: org))") }
    }

    private static func summary(_ group: ContactGroupSummary) -> GroupSummary {
        GroupSummary(org: group.org, name: group.name, members: group.members, createdAt: group.createdAt)
    }
}
