import Foundation
import GRDB
import HeraldCore

/// Writes the rows of an import file that pass the checks needing the database, in one
/// transaction: an import is all of its valid rows or, if anything fails, none of them.
enum ContactsImport {
    static func run(_ file: ContactsCSV, org: String, changedBy: String?, dryRun: Bool, at: Int64, in db: Database) throws -> ContactsImportReport {
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM org WHERE id = ?)", arguments: [org]) == true else {
            throw ContactsImportError.unknownOrganization(org)
        }
        var report = ContactsImportReport(
            rows: file.rowCount, imported: 0, numbers: 0, rejected: file.rejected, ignoredColumns: file.ignoredColumns,
            consents: [], canceled: [], released: [], dryRun: dryRun
        )
        let users = try String.fetchAll(db, sql: "SELECT id FROM user WHERE org_id = ? ORDER BY id", arguments: [org])
        let owners = Set(users)
        let byExternalID = try db.cachedStatement(sql: "SELECT id FROM contact WHERE org_id = ? AND external_id = ?")
        let byNumber = try db.cachedStatement(sql: "SELECT contact_id FROM contact_number WHERE org_id = ? AND number = ?")
        let insertContact = try db.cachedStatement(sql: """
            INSERT INTO contact (org_id, external_id, first_name, last_name, email, owner_user_id, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let insertNumber = try db.cachedStatement(sql: """
            INSERT INTO contact_number (org_id, number, contact_id, label, preferred_sms) VALUES (?, ?, ?, ?, ?)
            """)
        // The rows taken so far: a later row repeating them is the duplicate.
        var numberRows: [String: Int] = [:]
        var externalIDRows: [String: Int] = [:]

        rows: for row in file.rows {
            func reject(_ code: ContactsImportRejection.Code, _ message: String) {
                report.rejected.append(ContactsImportRejection(row: row.row, code: code, message: message))
            }
            if let owner = row.owner, !owners.contains(owner) {
                let known = users.isEmpty ? "it has none" : "its users: " + users.prefix(10).joined(separator: ", ") + (users.count > 10 ? ", …" : "")
                reject(.unknownOwner, "owner \(String(reflecting: owner)) is not a user of organization \(org) (\(known))")
                continue
            }
            if let external = row.externalID {
                if let earlier = externalIDRows[external] {
                    reject(.duplicateExternalID, "external_id \(String(reflecting: external)) is already on row \(earlier)")
                    continue
                }
                if let contact = try Int64.fetchOne(byExternalID, arguments: [org, external]) {
                    reject(.duplicateExternalID, "external_id \(String(reflecting: external)) already names contact \(contact) of \(org)")
                    continue
                }
            }
            for number in row.numbers {
                if let earlier = numberRows[number.e164] {
                    reject(.duplicateNumber, "\(number.e164) (\(number.label)) is already on row \(earlier); a number belongs to one contact")
                    continue rows
                }
                if let contact = try Int64.fetchOne(byNumber, arguments: [org, number.e164]) {
                    reject(.duplicateNumber, "\(number.e164) (\(number.label)) already belongs to contact \(contact) of \(org)")
                    continue rows
                }
            }

            try insertContact.execute(arguments: [org, row.externalID, row.firstName, row.lastName, row.email, row.owner, at, at])
            let contact = db.lastInsertedRowID
            for number in row.numbers {
                try insertNumber.execute(arguments: [org, number.e164, contact, number.label, number.e164 == row.preferred])
                numberRows[number.e164] = row.row
            }
            if let external = row.externalID { externalIDRows[external] = row.row }
            report.imported += 1
            report.numbers += row.numbers.count

            guard let consent = row.consent, let changedBy else { continue }
            for number in row.consentNumbers {
                let effect = try ConsentLedger.apply(ConsentRequest(
                    org: org, number: number, state: consent.state, type: consent.type, changedBy: changedBy,
                    wording: consent.wording, note: "contacts import, row \(row.row)"
                ), transitions: MessageTransitions(db, at: at))
                guard effect.changed else { continue }
                report.consents.append(.init(row: row.row, number: number, old: effect.old, new: consent.state, type: consent.type))
                report.canceled += effect.canceled
                report.released += effect.released
            }
        }
        report.rejected.sort { $0.row < $1.row }
        return report
    }
}

extension QueueDatabase {
    /// Imports the valid rows of a contacts file into `org` in one transaction, or on a dry run
    /// carries out the same transaction and rolls it back, so its report is exact.
    /// - Parameter changedBy: who attests to the file's consent columns; required when any valid row has one.
    /// - Throws: `ContactsImportError` when the import is refused as a whole; a database error
    ///   rolls everything back.
    public func importContacts(
        _ file: ContactsCSV, org: String, changedBy: String?, dryRun: Bool = false, now: Date
    ) async throws -> ContactsImportReport {
        let changedBy = changedBy?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        let attested = file.rows.filter { $0.consent != nil }.map(\.row)
        if changedBy == nil, !attested.isEmpty { throw ContactsImportError.consentWithoutOperator(rows: attested) }
        return try await pool.writeWithoutTransaction { db in
            var report: ContactsImportReport?
            try db.inTransaction {
                report = try ContactsImport.run(file, org: org, changedBy: changedBy, dryRun: dryRun, at: now.millis, in: db)
                return dryRun ? .rollback : .commit
            }
            return report!
        }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
