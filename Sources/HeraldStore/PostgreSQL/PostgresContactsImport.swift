import Foundation
import HeraldCore
import PostgresNIO

/// Writes the valid rows of a contacts file in one transaction, or on a dry run carries it out and
/// rolls it back, so its report is exact (SQLite's ContactsImport.swift).
extension PostgresQueue {
    public func importContacts(
        _ file: ContactsCSV, org: String, changedBy: String?, dryRun: Bool = false, now: Date
    ) async throws -> ContactsImportReport {
        let changedBy = changedBy?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        let attested = file.rows.filter { $0.consent != nil }.map(\.row)
        if changedBy == nil, !attested.isEmpty { throw ContactsImportError.consentWithoutOperator(rows: attested) }
        return try await connect { session in
            try await session.execute("BEGIN")
            do {
                let report = try await Self.importRows(file, org: org, changedBy: changedBy, dryRun: dryRun, at: now.millis, in: session)
                try await session.execute(dryRun ? "ROLLBACK" : "COMMIT")
                return report
            } catch {
                _ = try? await session.execute("ROLLBACK")
                throw error
            }
        }
    }

    private static func importRows(
        _ file: ContactsCSV, org: String, changedBy: String?, dryRun: Bool, at: Int64, in session: PostgresSession
    ) async throws -> ContactsImportReport {
        guard try await session.value("SELECT EXISTS (SELECT 1 FROM org WHERE id = \(org))", as: Bool.self) == true else {
            throw ContactsImportError.unknownOrganization(org)
        }
        var report = ContactsImportReport(
            rows: file.rowCount, imported: 0, numbers: 0, rejected: file.rejected, ignoredColumns: file.ignoredColumns,
            consents: [], canceled: [], released: [], dryRun: dryRun
        )
        let users = try await session.values("SELECT id FROM org_user WHERE org_id = \(org) ORDER BY id", as: String.self)
        let owners = Set(users)
        var numberRows: [String: Int] = [:]
        var externalIDRows: [String: Int] = [:]
        let transitions = PostgresTransitions(session, at: at)

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
                if let contact = try await session.value(
                    "SELECT id FROM contact WHERE org_id = \(org) AND external_id = \(external)", as: Int64.self) {
                    reject(.duplicateExternalID, "external_id \(String(reflecting: external)) already names contact \(contact) of \(org)")
                    continue
                }
            }
            for number in row.numbers {
                if let earlier = numberRows[number.e164] {
                    reject(.duplicateNumber, "\(number.e164) (\(number.label)) is already on row \(earlier); a number belongs to one contact")
                    continue rows
                }
                if let contact = try await session.value(
                    "SELECT contact_id FROM contact_number WHERE org_id = \(org) AND number = \(number.e164)", as: Int64.self) {
                    reject(.duplicateNumber, "\(number.e164) (\(number.label)) already belongs to contact \(contact) of \(org)")
                    continue rows
                }
            }
            let contact = try await session.value("""
                INSERT INTO contact (org_id, external_id, first_name, last_name, email, owner_user_id, created_at, updated_at)
                VALUES (\(org), \(row.externalID), \(row.firstName), \(row.lastName), \(row.email), \(row.owner), \(at), \(at)) RETURNING id
                """, as: Int64.self) ?? 0
            for number in row.numbers {
                try await session.execute("""
                    INSERT INTO contact_number (org_id, number, contact_id, label, preferred_sms)
                    VALUES (\(org), \(number.e164), \(contact), \(number.label), \(number.e164 == row.preferred ? 1 : 0))
                    """)
                numberRows[number.e164] = row.row
            }
            if let external = row.externalID { externalIDRows[external] = row.row }
            report.imported += 1
            report.numbers += row.numbers.count

            guard let consent = row.consent, let changedBy else { continue }
            for number in row.consentNumbers {
                let effect = try await PostgresConsentLedger.apply(ConsentRequest(
                    org: org, number: number, state: consent.state, type: consent.type, changedBy: changedBy,
                    wording: consent.wording, note: "contacts import, row \(row.row)"
                ), transitions: transitions)
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
