import Foundation
import HeraldCore
import PostgresNIO

/// The texts Herald writes itself (Core's `OwnText`), admitted by the same intake rules and
/// written by the transitions owner like every other message.
enum PostgresOwnMessages {
    static func queue(_ text: OwnText, transitions: PostgresTransitions, rules: IngestRules = IngestRules()) async throws -> Int64 {
        let session = transitions.session
        let smartEncoding = try await session.value("SELECT smart_encoding FROM org WHERE id = \(text.org)", as: Bool.self) ?? false
        let admitted = rules.admit(text, smartEncoding: smartEncoding)
        let id = try await PostgresMessageIDs.next(session)
        try await transitions.create(NewMessage(own: text, admitted: admitted, id: id))
        return id
    }
}

/// Message ids are outbox ids; Herald's own texts and broadcast members draw theirs from the
/// outbox's sequence too, so a producer's next row never collides with one. Under concurrency the
/// ids drawn together need not be consecutive, so callers take the list.
enum PostgresMessageIDs {
    static func next(_ session: PostgresSession) async throws -> Int64 {
        try await reserve(1, session)[0]
    }

    static func reserve(_ count: Int, _ session: PostgresSession) async throws -> [Int64] {
        precondition(count > 0)
        return try await session.values(
            "SELECT nextval('outbox_id_seq') FROM generate_series(1, \(count))", as: Int64.self
        ).sorted()
    }
}

/// What a template may say about its recipient: the names of the contact the number belongs to.
enum PostgresRecipientFields {
    static func lookup(org: String?, number: String?, in session: PostgresSession) async throws -> [String: String] {
        guard let org, let number, case let .success(parsed) = PhoneNumber.parse(number) else { return [:] }
        guard let row = try await session.rows("""
            SELECT c.first_name, c.last_name FROM contact_number n JOIN contact c ON c.id = n.contact_id
            WHERE n.org_id = \(org) AND n.number = \(parsed.e164)
            """).first else { return [:] }
        let (first, last) = try row.decode((String?, String?).self)
        var fields: [String: String] = [:]
        if let first { fields["first_name"] = first }
        if let last { fields["last_name"] = last }
        return fields
    }
}
