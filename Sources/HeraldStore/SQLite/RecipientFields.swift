import GRDB
import HeraldCore

/// What a template may say about its recipient without the producer repeating it: the names of
/// the contact the number belongs to in that organization.
enum RecipientFields {
    static func lookup(org: String?, number: String?, in db: Database) throws -> [String: String] {
        guard let org, let number, case let .success(parsed) = PhoneNumber.parse(number) else { return [:] }
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT c.first_name, c.last_name FROM contact_number n JOIN contact c ON c.id = n.contact_id
            WHERE n.org_id = ? AND n.number = ?
            """), arguments: [org, parsed.e164]) else { return [:] }
        var fields: [String: String] = [:]
        if let first: String = row["first_name"] { fields["first_name"] = first }
        if let last: String = row["last_name"] { fields["last_name"] = last }
        return fields
    }
}
