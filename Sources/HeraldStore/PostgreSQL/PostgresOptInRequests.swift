import Foundation
import HeraldCore
import PostgresNIO

/// The opt-in request limit (docs/consent.md), as `OptInRequests` counts it for SQLite: from
/// `message` itself, inside the writer's transaction. Core's `OptInRequestPolicy` decides.
enum PostgresOptInRequests {
    /// When `user`'s earlier requests to this contact (every number the org's contact list
    /// groups with `number`) were made; requests that could never have reached it do not count.
    static func previous(org: String, user: String, number: String, in session: PostgresSession) async throws -> [Date] {
        let list = try await contactNumbers(org: org, number: number, in: session)
        return try await session.values("""
            SELECT created_at FROM message
            WHERE to_number = ANY(\(list)) AND org_id = \(org) AND user_id = \(user) AND kind = 'opt_in_request'
              AND state NOT IN ('rejected', 'canceled', 'expired')
            """, as: Int64.self).map(Date.init(millis:)).sorted()
    }

    /// Every number the org's contact list groups with `number`; `number` alone if it is on no list.
    static func contactNumbers(org: String, number: String, in session: PostgresSession) async throws -> [String] {
        let numbers = try await session.values("""
            SELECT n.number FROM contact_number n
            WHERE n.contact_id = (SELECT contact_id FROM contact_number WHERE org_id = \(org) AND number = \(number))
            """, as: String.self)
        return numbers.isEmpty ? [number] : numbers
    }

    /// When `user`'s last opt-in request to these numbers other than `excluding` went out: accepted
    /// by the carrier, or claimed and still in flight. Nil when none has.
    static func lastSent(org: String, user: String, numbers: [String], excluding id: Int64, in session: PostgresSession) async throws -> Date? {
        try await session.value("""
            SELECT MAX(COALESCE(sent_at, CASE WHEN state = 'sending' THEN updated_at END)) FROM message
            WHERE to_number = ANY(\(numbers)) AND org_id = \(org) AND user_id = \(user) AND kind = 'opt_in_request' AND id <> \(id)
            """, as: Int64.self).map(Date.init(millis:))
    }

    /// Whether any request to this number from this org is still waiting to go.
    static func pending(org: String, number: String, in session: PostgresSession) async throws -> Int64? {
        try await session.value("""
            SELECT id FROM message
            WHERE to_number = \(number) AND org_id = \(org) AND kind = 'opt_in_request' AND state IN ('queued', 'scheduled', 'sending')
            LIMIT 1
            """, as: Int64.self)
    }

    static func decide(
        org: String, user: String, number: String, policy: OptInRequestPolicy, now: Date, in session: PostgresSession
    ) async throws -> OptInRequestPolicy.Decision {
        let consent = try await PostgresConsentLedger.current(org: org, number: number, in: session)
        let previous = try await previous(org: org, user: user, number: number, in: session)
        return policy.decide(previous: previous, consent: consent, now: now)
    }
}

extension PostgresQueue {
    /// An opt-in request on a user's behalf (`heraldctl optin request`): checked against the limit
    /// and queued in one transaction, with the org's template as its text.
    public func requestOptIn(
        org: String, sender: SenderProfile, to number: String, body: String, policy: OptInRequestPolicy, now: Date,
        requestedBy: String, place: @escaping @Sendable (Date) -> Placement
    ) async throws -> OptInRequestResult {
        try await write { session in
            switch try await PostgresOptInRequests.decide(org: org, user: sender.userID, number: number, policy: policy, now: now, in: session) {
            case let .refused(refusal):
                return .refused(refusal)
            case .allowed:
                let placement = place(now)
                let id = try await PostgresOwnMessages.queue(OwnText(
                    org: org, sender: sender, to: number, body: body, kind: .optInRequest, placement: placement,
                    purpose: .optInRequest, detail: "requested by \(requestedBy)"
                ), transitions: PostgresTransitions(session, now: now))
                return .queued(messageID: id, placement: placement)
            }
        }
    }
}
