/// Why one row of a contacts import was left out. The rest of the file is imported regardless;
/// the report lists each such row with its number as a spreadsheet shows it (the header is row 1).
public struct ContactsImportRejection: Sendable, Equatable, CustomStringConvertible {
    public var row: Int
    public var code: Code
    /// What is wrong with the row and what would fix it, naming the column and the value.
    public var message: String

    public init(row: Int, code: Code, message: String) {
        self.row = row
        self.code = code
        self.message = message
    }

    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// No name at all, or no phone number.
        case missingField = "missing_field"
        /// Not a phone number.
        case badNumber = "bad_number"
        /// A real number, but not one in the US or Canada (docs/domain.md).
        case notUSOrCanada = "not_us_ca"
        /// The number is on an earlier row, or already belongs to a contact of the organization.
        case duplicateNumber = "duplicate_number"
        /// The external id is on an earlier row, or already names a contact of the organization.
        case duplicateExternalID = "duplicate_external_id"
        case badEmail = "bad_email"
        /// `preferred_sms` names no number of the row.
        case badPreferred = "bad_preferred"
        /// `consent` or `consent_type` is not one the import accepts, or one is given without the other.
        case badConsent = "bad_consent"
        /// `owner` is not a user of the organization.
        case unknownOwner = "unknown_owner"
        /// More values than the header has columns: usually an unquoted comma in a name.
        case extraFields = "extra_fields"
    }

    public var description: String { "row \(row): \(code.rawValue): \(message)" }
}

/// Why a contacts import was refused as a whole; nothing was written.
public enum ContactsImportError: Error, Equatable, CustomStringConvertible {
    case empty
    /// A header and nothing else.
    case noRows
    /// The CSV itself is broken, e.g. a stray or unclosed quote; `row` as a spreadsheet counts them.
    case notCSV(row: Int?, detail: String)
    case missingColumns([String], found: [String])
    case noPhoneColumn(found: [String])
    case duplicateColumn(String)
    /// Rows carry consent but nobody was named to attest to it (`--by`).
    case consentWithoutOperator(rows: [Int])
    case unknownOrganization(String)

    public var description: String {
        switch self {
        case .empty:
            return "the file is empty; its first line must name the columns (\(ContactsCSV.requiredColumns.joined(separator: ",")),phone,…)"
        case .noRows:
            return "the file has a header but no contact rows"
        case let .notCSV(row, detail):
            return "the file is not valid CSV\(row.map { " (row \($0))" } ?? ""): \(detail); nothing was imported"
        case let .missingColumns(missing, found):
            return "the header lacks \(missing.joined(separator: ", ")); it names \(Self.list(found)). "
                + "The first line must name the columns, at least \(ContactsCSV.requiredColumns.joined(separator: ",")) and one of \(ContactsCSV.phoneColumns.map(\.column).joined(separator: ","))"
        case let .noPhoneColumn(found):
            return "the header names no phone column (\(ContactsCSV.phoneColumns.map(\.column).joined(separator: ", "))); it names \(Self.list(found))"
        case let .duplicateColumn(name):
            return "the header names column \(name) twice; which one to import would be a guess"
        case let .consentWithoutOperator(rows):
            let shown = rows.prefix(10).map(String.init).joined(separator: ", ") + (rows.count > 10 ? ", …" : "")
            return "row\(rows.count == 1 ? "" : "s") \(shown) carry consent: name who attests to it with --by USERNAME (recorded as changed_by in the consent ledger)"
        case let .unknownOrganization(org):
            return "no organization \(String(reflecting: org))"
        }
    }

    private static func list(_ columns: [String]) -> String {
        columns.isEmpty ? "no columns" : columns.joined(separator: ", ")
    }
}
