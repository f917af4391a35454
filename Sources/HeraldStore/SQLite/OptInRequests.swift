import Foundation
import GRDB
import HeraldCore

/// The opt-in request limit (docs/consent.md), enforced inside the writer's transaction: two producers
/// asking at once are serialized by the write lock, and the count comes from `message` itself,
/// so it holds across restarts.
enum OptInRequests {
    /// When `user`'s earlier requests to this contact were made. A contact is every number the
    /// org's contact list groups with `number`; a number on no list is a contact of its own.
    /// Requests that never could have reached the contact (rejected, canceled, expired) do not count.
    static func previous(org: String, user: String, number: String, in db: Database) throws -> [Date] {
        var times: [Date] = []
        let statement = try db.cachedStatement(sql: """
            SELECT created_at FROM message
            WHERE to_number = ? AND org_id = ? AND user_id = ? AND kind = 'opt_in_request'
              AND state NOT IN ('rejected', 'canceled', 'expired')
            """)
        for each in try contactNumbers(org: org, number: number, in: db) {
            times += try Int64.fetchAll(statement, arguments: [each, org, user]).map(Date.init(millis:))
        }
        return times.sorted()
    }

    /// Every number the org's contact list groups with `number`; `number` alone if it is on no list.
    static func contactNumbers(org: String, number: String, in db: Database) throws -> [String] {
        let numbers = try String.fetchAll(db.cachedStatement(sql: """
            SELECT n.number FROM contact_number n
            WHERE n.contact_id = (SELECT contact_id FROM contact_number WHERE org_id = ?1 AND number = ?2)
            """), arguments: [org, number])
        return numbers.isEmpty ? [number] : numbers
    }

    /// When `user`'s last opt-in request to these numbers other than `excluding` went out: accepted
    /// by the carrier, or claimed and still in flight. Nil when none has.
    static func lastSent(org: String, user: String, numbers: [String], excluding id: Int64, in db: Database) throws -> Date? {
        let statement = try db.cachedStatement(sql: """
            SELECT MAX(COALESCE(sent_at, CASE WHEN state = 'sending' THEN updated_at END)) FROM message
            WHERE to_number = ? AND org_id = ? AND user_id = ? AND kind = 'opt_in_request' AND id <> ?
            """)
        var last: Int64?
        for number in numbers {
            if let at = try Int64.fetchOne(statement, arguments: [number, org, user, id]) { last = max(last ?? at, at) }
        }
        return last.map(Date.init(millis:))
    }

    /// Whether any request to this number from this org is still waiting to go.
    static func pending(org: String, number: String, in db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: """
            SELECT id FROM message
            WHERE to_number = ? AND org_id = ? AND kind = 'opt_in_request' AND state IN ('queued', 'scheduled', 'sending')
            LIMIT 1
            """, arguments: [number, org])
    }

    static func decide(
        org: String, user: String, number: String, policy: OptInRequestPolicy, now: Date, in db: Database
    ) throws -> OptInRequestPolicy.Decision {
        let consent = try ConsentLedger.current(org: org, number: number, in: db)
        let previous = try previous(org: org, user: user, number: number, in: db)
        return policy.decide(previous: previous, consent: consent, now: now)
    }
}

extension QueueDatabase {
    /// An opt-in request on a user's behalf (`heraldctl optin request`): checked against the limit
    /// and queued in one transaction, with the org's template as its text.
    /// - Parameter place: where sending windows put the request if it may go at the given instant.
    public func requestOptIn(
        org: String, sender: SenderProfile, to number: String, body: String, policy: OptInRequestPolicy, now: Date,
        requestedBy: String, place: @escaping @Sendable (Date) -> Placement
    ) async throws -> OptInRequestResult {
        try await timedWrite { db in
            switch try OptInRequests.decide(org: org, user: sender.userID, number: number, policy: policy, now: now, in: db) {
            case let .refused(refusal):
                return .refused(refusal)
            case .allowed:
                let placement = place(now)
                let id = try OwnMessages.queue(OwnText(
                    org: org, sender: sender, to: number, body: body, kind: .optInRequest, placement: placement,
                    purpose: .optInRequest, detail: "requested by \(requestedBy)"
                ), transitions: MessageTransitions(db, now: now))
                return .queued(messageID: id, placement: placement)
            }
        }
    }
}
