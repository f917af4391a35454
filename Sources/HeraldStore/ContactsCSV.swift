import Foundation
import HeraldCore
import SwiftCSV

/// A contacts import file read and checked as far as the file alone allows (docs/heraldctl.md,
/// "Importing contacts"). Comma-separated, UTF-8 (a byte-order mark is fine), header row required. Column
/// names are matched case-insensitively, with spaces and dashes read as underscores
/// ("First Name" is `first_name`); columns Herald does not know are ignored and reported.
///
/// - `first_name`, `last_name`, `email`: required columns; a row needs a first or last name.
/// - `phone`, `mobile_phone`, `work_phone`, `home_phone`, `other_phone`: at least one column,
///   one number per cell, in any NANP format; a row needs at least one number.
/// - `preferred_sms`: which number gets texts, by label (`mobile`, `work`, …) or by the number
///   itself; by default the mobile number, else the row's first number in header order.
/// - `external_id`, `owner` (a user id of the organization): optional.
/// - `consent` (`opted_in` | `opted_out`) with `consent_type` (`email`, `phone`, `paper`, `web`,
///   `api`) and optional `consent_wording`: recorded in the consent ledger. An opt-in covers the
///   preferred SMS number, the one the contact agreed to be texted at; an opt-out covers every
///   number of the row, since refusing is the safe side.
public struct ContactsCSV: Sendable, Equatable {
    public var rows: [ContactRow]
    /// Rows refused by checks that need only the file.
    public var rejected: [ContactsImportRejection]
    /// Header columns Herald does not import, as written.
    public var ignoredColumns: [String]
    /// Data rows, blank ones not counted.
    public var rowCount: Int

    public static let requiredColumns = ["first_name", "last_name", "email"]
    /// Phone columns and the label each number gets, in the order a row's default preferred number is chosen from.
    public static let phoneColumns: [(column: String, label: String)] = [
        ("phone", "phone"), ("mobile_phone", "mobile"), ("work_phone", "work"), ("home_phone", "home"), ("other_phone", "other"),
    ]
    static let optionalColumns = ["external_id", "owner", "preferred_sms", "consent", "consent_type", "consent_wording"]
    /// Consent types staff may record; `sms_response` is the contact's own reply and only Herald records it.
    public static let importableConsentTypes: [ConsentType] = [.email, .phone, .paper, .web, .api]

    /// Reads `text`, or refuses the whole file when it is not CSV Herald can import.
    public static func parse(_ text: String) throws(ContactsImportError) -> ContactsCSV {
        guard text.contains(where: { !$0.isWhitespace && $0 != "\u{FEFF}" }) else { throw .empty }
        // SwiftCSV takes an unclosed quote to run to the end of the file; an odd count of quote
        // characters is the one sure sign of it, since every other quote comes in pairs.
        if text.utf8.lazy.filter({ $0 == UInt8(ascii: "\"") }).count % 2 == 1 {
            throw .notCSV(row: nil, detail: "a quoted field is never closed (the file has an odd number of \" characters)")
        }
        let csv: EnumeratedCSV
        do {
            // rowLimit 0: the header only; the rows are read once, below, with their true field counts.
            csv = try EnumeratedCSV(string: text, delimiter: .comma, loadColumns: false, rowLimit: 0)
        } catch {
            throw .notCSV(row: 1, detail: describe(error))
        }
        let header = try Header(csv.header)
        var records: [[String]] = []
        do {
            try csv.enumerateAsArray(startAt: 1, rowLimit: nil) { records.append($0) }
        } catch {
            // Rows before the broken one were delivered: it is the next, counting the header as row 1.
            throw .notCSV(row: records.count + 2, detail: describe(error))
        }
        var file = ContactsCSV(rows: [], rejected: [], ignoredColumns: header.ignored, rowCount: 0)
        for (index, fields) in records.enumerated() {
            let cells = fields.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            if cells.allSatisfy(\.isEmpty) { continue }
            file.rowCount += 1
            switch header.read(cells, row: index + 2) {
            case let .contact(row): file.rows.append(row)
            case let .rejected(rejection): file.rejected.append(rejection)
            }
        }
        guard file.rowCount > 0 else { throw .noRows }
        return file
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? CSVParseError {
        case .quotation?: "a quote inside a field must be doubled (\"\") and the field quoted as a whole"
        case let .generic(message)?: message
        case nil: "\(error)"
        }
    }
}

/// One contact of an import file, its numbers parsed; what is left to check needs the database.
public struct ContactRow: Sendable, Equatable {
    /// As a spreadsheet shows it: the header is row 1.
    public var row: Int
    public var externalID: String?
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var owner: String?
    /// E.164, without repeats, in header order.
    public var numbers: [Number]
    /// The E.164 number texts go to; one of `numbers`.
    public var preferred: String
    public var consent: Consent?

    public struct Number: Sendable, Equatable {
        public var e164: String
        public var label: String
    }

    public struct Consent: Sendable, Equatable {
        public var state: ConsentState
        public var type: ConsentType
        public var wording: String?
    }

    /// The numbers a consent of this row is recorded for (see `ContactsCSV`).
    public var consentNumbers: [String] {
        switch consent?.state {
        case .optedIn?: [preferred]
        case .optedOut?: numbers.map(\.e164)
        case .unknown?, nil: []
        }
    }
}

/// Where each known column sits in a file's header.
private struct Header {
    var columns: [String: Int] = [:]
    var phones: [(index: Int, column: String, label: String)] = []
    var ignored: [String] = []
    var count: Int

    init(_ names: [String]) throws(ContactsImportError) {
        count = names.count
        let known = Set(ContactsCSV.requiredColumns + ContactsCSV.optionalColumns + ContactsCSV.phoneColumns.map(\.column))
        for (index, name) in names.enumerated() {
            let key = Self.normalize(name)
            if key.isEmpty { continue }
            guard known.contains(key) else {
                ignored.append(name)
                continue
            }
            if columns[key] != nil { throw .duplicateColumn(key) }
            columns[key] = index
        }
        let found = names.map(Self.normalize).filter { !$0.isEmpty }
        let missing = ContactsCSV.requiredColumns.filter { columns[$0] == nil }
        if !missing.isEmpty { throw .missingColumns(missing, found: found) }
        phones = ContactsCSV.phoneColumns.compactMap { phone in columns[phone.column].map { ($0, phone.column, phone.label) } }
            .sorted { $0.index < $1.index }
        if phones.isEmpty { throw .noPhoneColumn(found: found) }
    }

    static func normalize(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            .replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
    }

    func value(_ column: String, in cells: [String]) -> String? {
        guard let index = columns[column], index < cells.count, !cells[index].isEmpty else { return nil }
        return cells[index]
    }

    enum Reading {
        case contact(ContactRow)
        case rejected(ContactsImportRejection)
    }

    func read(_ cells: [String], row: Int) -> Reading {
        func reject(_ code: ContactsImportRejection.Code, _ message: String) -> Reading {
            .rejected(ContactsImportRejection(row: row, code: code, message: message))
        }
        if cells.count > count, cells[count...].contains(where: { !$0.isEmpty }) {
            return reject(.extraFields, "\(cells.count) values for \(count) columns; quote a value that contains a comma (\"Smith, Jr.\")")
        }
        let firstName = value("first_name", in: cells), lastName = value("last_name", in: cells)
        if firstName == nil, lastName == nil { return reject(.missingField, "no first_name or last_name: a contact needs a name") }
        if phones.allSatisfy({ value($0.column, in: cells) == nil }) {
            return reject(.missingField, "no phone number in \(phones.map(\.column).joined(separator: ", "))")
        }
        let email = value("email", in: cells)
        if let email, !Self.looksLikeEmail(email) { return reject(.badEmail, "\(String(reflecting: email)) is not an email address") }

        var numbers: [ContactRow.Number] = []
        // Every label a number was given: the same number under phone and mobile_phone is one
        // number, and preferred_sms may name either.
        var byLabel: [String: String] = [:]
        for phone in phones {
            guard let text = value(phone.column, in: cells) else { continue }
            switch PhoneNumber.parse(text) {
            case let .success(number):
                if !numbers.contains(where: { $0.e164 == number.e164 }) { numbers.append(.init(e164: number.e164, label: phone.label)) }
                byLabel[phone.label] = number.e164
            case let .failure(problem):
                return reject(Self.isOutsideUSAndCanada(problem) ? .notUSOrCanada : .badNumber, "\(phone.column): \(problem.description)")
            }
        }

        let preferred: String
        if let named = value("preferred_sms", in: cells) {
            let key = Self.normalize(named)
            let label = ContactsCSV.phoneColumns.first { $0.column == key }?.label ?? key
            if let number = byLabel[label] {
                preferred = number
            } else if case let .success(number) = PhoneNumber.parse(named), numbers.contains(where: { $0.e164 == number.e164 }) {
                preferred = number.e164
            } else {
                let labels = phones.map(\.label).filter { byLabel[$0] != nil }.joined(separator: ", ")
                return reject(.badPreferred, "preferred_sms \(String(reflecting: named)) names none of the row's numbers; give a label (\(labels)) or one of the numbers")
            }
        } else {
            preferred = byLabel["mobile"] ?? numbers[0].e164
        }

        var consent: ContactRow.Consent?
        let type = value("consent_type", in: cells), wording = value("consent_wording", in: cells)
        if let stated = value("consent", in: cells) {
            guard let state = ConsentState(rawValue: stated.lowercased()), state != .unknown else {
                return reject(.badConsent, "consent \(String(reflecting: stated)) is neither opted_in nor opted_out")
            }
            guard let type else {
                return reject(.badConsent, "consent \(state.rawValue) without consent_type: say how the contact gave it (\(Self.types))")
            }
            guard let parsed = ConsentType(rawValue: type.lowercased()), ContactsCSV.importableConsentTypes.contains(parsed) else {
                let reserved = type.lowercased() == ConsentType.smsResponse.rawValue ? " (sms_response is reserved for the contact's own replies)" : ""
                return reject(.badConsent, "consent_type \(String(reflecting: type)) is not one of \(Self.types)\(reserved)")
            }
            consent = ContactRow.Consent(state: state, type: parsed, wording: wording)
        } else if type != nil || wording != nil {
            return reject(.badConsent, "consent_type or consent_wording without consent: give consent (opted_in or opted_out) too, or leave both empty")
        }

        return .contact(ContactRow(
            row: row, externalID: value("external_id", in: cells), firstName: firstName, lastName: lastName, email: email,
            owner: value("owner", in: cells), numbers: numbers, preferred: preferred, consent: consent
        ))
    }

    private static let types = ContactsCSV.importableConsentTypes.map(\.rawValue).joined(separator: ", ")

    /// Catches what a spreadsheet export gets wrong (a name or number in the email column), not
    /// every address RFC 5322 would refuse.
    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else {
            return false
        }
        return !text.contains(where: \.isWhitespace)
    }

    static func isOutsideUSAndCanada(_ problem: PhoneNumberError) -> Bool {
        switch problem {
        case .notNorthAmerican, .outsideUSAndCanada, .unknownCallingCode: true
        default: false
        }
    }
}
