import Foundation
import GRDB
import HeraldCore
import HeraldStore
import Testing

@Suite("Contacts import")
struct ContactsImportTests {
    private func importing(
        _ fixture: StoreFixture, _ text: String, into org: String = "acme", by: String? = nil, dryRun: Bool = false
    ) async throws -> ContactsImportReport {
        try await fixture.db.importContacts(ContactsCSV.parse(text), org: org, changedBy: by, dryRun: dryRun, now: fixture.now)
    }

    /// Every contact number of `org` as `first last number label preferred`, by number.
    private func contacts(_ fixture: StoreFixture, _ org: String = "acme") async throws -> [String] {
        try await fixture.rows("SELECT first_name, last_name, number, label, preferred_sms FROM contacts WHERE org = ? ORDER BY number", [org]).map { row in
            let first: String? = row["first_name"], last: String? = row["last_name"]
            let preferred = (row["preferred_sms"] as Int) != 0
            return "\(first ?? "-") \(last ?? "-") \(row["number"] as String) \(row["label"] as String)\(preferred ? " preferred" : "")"
        }
    }

    private func written(_ fixture: StoreFixture) async throws -> Int {
        try await fixture.count("SELECT (SELECT COUNT(*) FROM contact) + (SELECT COUNT(*) FROM contact_number)")
    }

    @Test("valid rows become contacts with labelled numbers, one preferred, and their consent in the ledger", arguments: Backend.allCases)
    func goodRows(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let report = try await importing(fixture, """
            first_name,last_name,email,phone,mobile_phone,work_phone,preferred_sms,external_id,owner,consent,consent_type,consent_wording,Company
            Ada,Lovelace,ada@example.com,(612) 555-0140,612.555.0141,,,crm-1,alice,opted_in,paper,Signup form v3,Analytical
            Grace,,,+1 612 555 0150,,6125550151,work,crm-2,,opted_out,phone,,
            ,Hopper,,,,612-555-0160,,,,,,,
            Same,Number,,6125550170,(612) 555-0170,,mobile,,,,,,

            """, by: "dana")
        #expect(report.rows == 4)
        #expect(report.imported == 4)
        #expect(report.numbers == 6, "a number typed twice on one row is one number")
        #expect(report.rejected.isEmpty, "\(report.rejected)")
        #expect(report.ignoredColumns == ["Company"])
        #expect(try await contacts(fixture) == [
            "Ada Lovelace +16125550140 phone",
            "Ada Lovelace +16125550141 mobile preferred",
            "Grace - +16125550150 phone",
            "Grace - +16125550151 work preferred",
            "- Hopper +16125550160 work preferred",
            "Same Number +16125550170 phone preferred",
        ])
        let ada = try #require(try await fixture.row("SELECT email, external_id, owner FROM contacts WHERE number = '+16125550141'"))
        #expect(ada["email"] as String? == "ada@example.com" && ada["external_id"] as String? == "crm-1" && ada["owner"] as String? == "alice")

        // An opt-in covers the number texts go to; an opt-out every number of the contact.
        #expect(try await fixture.db.consent(org: "acme", number: "+16125550141") == .optedIn)
        #expect(try await fixture.db.consent(org: "acme", number: "+16125550140") == .unknown)
        #expect(try await fixture.db.consent(org: "acme", number: "+16125550150") == .optedOut)
        #expect(try await fixture.db.consent(org: "acme", number: "+16125550151") == .optedOut)
        #expect(try await fixture.db.consent(org: "globex", number: "+16125550141") == .unknown, "consent is per organization")
        #expect(report.consents.map(\.number) == ["+16125550141", "+16125550150", "+16125550151"])
        let ledger = try #require(try await fixture.db.consentHistory(org: "acme", number: "+16125550141").first)
        #expect(ledger.old == .unknown && ledger.new == .optedIn && ledger.type == .paper)
        #expect(ledger.changedBy == "dana")
        #expect(ledger.wording == "Signup form v3")
        #expect(ledger.note == "contacts import, row 2")
        #expect(ledger.at == fixture.now)
    }

    @Test("each bad row is left out with its spreadsheet row number and a reason code; the rest is imported", arguments: Backend.allCases)
    func rejections(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        _ = try await importing(fixture, """
            first_name,last_name,email,phone,external_id
            Earlier,Import,,6125550140,crm-1
            """)
        let report = try await importing(fixture, """
            first_name,last_name,email,phone,mobile_phone,preferred_sms,external_id,owner,consent,consent_type
            Ok,One,,6125550170,,,,,,
            ,,,6125550171,,,,,,
            No,Phone,,,,,,,,
            Bad,Number,,555-0123,,,,,,
            Jam,Aica,,+1 876 555 0100,,,,,,
            Dup,File,,6125550170,,,,,,
            Dup,Org,,,6125550140,,,,,
            Ext,Org,,6125550172,,,crm-1,,,
            Ext,A,,6125550173,,,crm-9,carol,,
            Ext,B,,6125550174,,,crm-9,,,
            Bad,Email,not-an-email,6125550175,,,,,,
            Bad,Preferred,,6125550176,,work,,,,
            Bad,Consent,,6125550177,,,,,maybe,paper
            Sms,Response,,6125550178,,,,,opted_in,sms_response
            No,Type,,6125550179,,,,,opted_in,
            Type,Only,,6125550180,,,,,,web
            Who,Owns,,6125550181,,,,mallory,,
            Too,Many,,6125550182,,,,,,,extra
            """)
        #expect(report.rejected.map { "\($0.row) \($0.code.rawValue)" } == [
            "3 missing_field", "4 missing_field", "5 bad_number", "6 not_us_ca", "7 duplicate_number", "8 duplicate_number",
            "9 duplicate_external_id", "11 duplicate_external_id", "12 bad_email", "13 bad_preferred", "14 bad_consent",
            "15 bad_consent", "16 bad_consent", "17 bad_consent", "18 unknown_owner", "19 extra_fields",
        ])
        #expect(report.imported == 2 && report.rows == 18)
        #expect(try await contacts(fixture).filter { $0.hasPrefix("Ok ") || $0.hasPrefix("Ext A") } == [
            "Ok One +16125550170 phone preferred", "Ext A +16125550173 phone preferred",
        ])
        let messages = Dictionary(uniqueKeysWithValues: report.rejected.map { ($0.row, $0.message) })
        #expect(messages[6]?.contains("Jamaica") == true, "\(messages[6] ?? "")")
        #expect(messages[7]?.contains("already on row 2") == true, "\(messages[7] ?? "")")
        #expect(messages[8]?.contains("already belongs to contact") == true, "\(messages[8] ?? "")")
        #expect(messages[11]?.contains("already on row 10") == true, "\(messages[11] ?? "")")
        #expect(messages[15]?.contains("reserved for the contact's own replies") == true, "\(messages[15] ?? "")")
        #expect(messages[18]?.contains("alice, carol") == true, "names the users there are: \(messages[18] ?? "")")
    }

    @Test("a row is numbered as a spreadsheet shows it: a quoted line break stays in its row, blank lines count", arguments: Backend.allCases)
    func rowNumbers(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let report = try await importing(fixture, "\u{FEFF}First Name,Last-Name,EMAIL,Mobile Phone\r\n\"Ada\r\nAugusta\",Lovelace,,6125550140\r\n\r\nBad,Number,,123\r\n")
        #expect(report.rejected.map(\.row) == [4])
        #expect(report.rows == 2, "the blank line is not a row of data")
        #expect(try await contacts(fixture) == ["Ada\r\nAugusta Lovelace +16125550140 mobile preferred"])
    }

    @Test("a file that cannot be imported is refused as a whole and nothing is written", arguments: Backend.allCases, [
        ("", ContactsImportError.empty),
        (" \n\n", .empty),
        ("first_name,last_name,email,phone\n\n", .noRows),
        ("first_name,email,phone\nAda,,6125550140\n", .missingColumns(["last_name"], found: ["first_name", "email", "phone"])),
        ("first_name,last_name,email\nAda,L,\n", .noPhoneColumn(found: ["first_name", "last_name", "email"])),
        ("first_name,last_name,email,phone,Phone\nAda,L,,6125550140,\n", .duplicateColumn("phone")),
    ])
    func refusedFiles(backend: Backend, file: (text: String, expected: ContactsImportError)) async throws {
        let fixture = try await StoreFixture(backend)
        let (text, expected) = file
        await #expect(throws: expected) { try await importing(fixture, text) }
        #expect(try await written(fixture) == 0)
    }

    @Test("broken quoting is not CSV: refused, naming the row where it can", arguments: Backend.allCases)
    func brokenQuotes(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let header = "first_name,last_name,email,phone\n"
        do {
            _ = try await importing(fixture, header + "Ada,Lovelace,,6125550140\nA\"x\"a,L,,6125550141\n")
            Issue.record("a stray quote was accepted")
        } catch let ContactsImportError.notCSV(row, detail) {
            #expect(row == 3)
            #expect(detail.contains("doubled"))
        }
        do {
            _ = try await importing(fixture, header + "\"Ada,Lovelace,,6125550140\nGrace,Hopper,,6125550141\n")
            Issue.record("an unclosed quote was accepted")
        } catch let ContactsImportError.notCSV(_, detail) {
            #expect(detail.contains("never closed"))
        }
        #expect(try await written(fixture) == 0)
    }

    @Test("consent needs someone to attest to it; an unknown organization is refused", arguments: Backend.allCases)
    func refusedImports(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let text = "first_name,last_name,email,phone,consent,consent_type\nAda,L,,6125550140,,\nGrace,H,,6125550141,opted_in,web\n"
        await #expect(throws: ContactsImportError.consentWithoutOperator(rows: [3])) { try await importing(fixture, text) }
        await #expect(throws: ContactsImportError.consentWithoutOperator(rows: [3])) { try await importing(fixture, text, by: "  ") }
        await #expect(throws: ContactsImportError.unknownOrganization("initech")) { try await importing(fixture, text, into: "initech", by: "dana") }
        #expect(try await written(fixture) == 0)
        #expect(try await importing(fixture, text, by: "dana").imported == 2)
    }

    @Test("a dry run reports exactly what the import then does, and writes nothing", arguments: Backend.allCases)
    func dryRun(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let ledger = try await fixture.count("SELECT COUNT(*) FROM consent_ledger")
        let text = """
            first_name,last_name,email,phone,consent,consent_type
            Ada,L,,6125550140,opted_in,email
            Ada,Again,,6125550140,,
            Jam,Aica,,+18765550100,,
            """
        let dry = try await importing(fixture, text, by: "dana", dryRun: true)
        #expect(dry.dryRun && dry.imported == 1 && dry.consents.count == 1 && dry.rejected.count == 2)
        #expect(try await written(fixture) == 0)
        #expect(try await fixture.count("SELECT COUNT(*) FROM consent_ledger") == ledger)
        var real = try await importing(fixture, text, by: "dana")
        #expect(!real.dryRun)
        real.dryRun = true
        #expect(real == dry)
    }

    /// SQLite only: the write failure is simulated with a SQLite trigger.
    @Test("a failure mid-transaction leaves nothing half-imported")
    func allOrNothing() async throws {
        let fixture = try await StoreFixture()
        let ledger = try await fixture.count("SELECT COUNT(*) FROM consent_ledger")
        // Stands in for the disk filling up at the third row, after two contacts and a consent row are written.
        try await fixture.sqlite.pool.write { db in
            try db.execute(sql: """
                CREATE TRIGGER fail_third BEFORE INSERT ON contact_number WHEN NEW.number = '+16125550142'
                BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END
                """)
        }
        let text = """
            first_name,last_name,email,phone,consent,consent_type
            Ada,L,,6125550140,opted_in,paper
            Grace,H,,6125550141,opted_out,phone
            Alan,T,,6125550142,,
            """
        await #expect(throws: DatabaseError.self) { try await importing(fixture, text, by: "dana") }
        #expect(try await written(fixture) == 0)
        #expect(try await fixture.count("SELECT COUNT(*) FROM consent_ledger") == ledger)
        #expect(try await fixture.db.consent(org: "acme", number: "+16125550140") == .unknown)

        try await fixture.sqlite.pool.write { db in try db.execute(sql: "DROP TRIGGER fail_third") }
        #expect(try await importing(fixture, text, by: "dana").imported == 3)
    }

    @Test("an imported opt-out cancels the number's pending texts; an opt-in releases those awaiting consent", arguments: Backend.allCases)
    func consentEffects(_ backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        let pending = try await fixture.queued(to: StoreFixture.contact)
        let journey = try await fixture.produce(to: "6125550190", kind: "journey")
        try await fixture.ingest()
        #expect(try await fixture.state(journey) == .awaitingConsent)
        let report = try await importing(fixture, """
            first_name,last_name,email,phone,consent,consent_type
            Out,Now,,\(StoreFixture.contact),opted_out,phone
            In,Now,,6125550190,opted_in,web
            """, by: "dana")
        #expect(report.canceled.contains(pending))
        #expect(report.released == [journey])
        #expect(try await fixture.state(pending) == .canceled)
        #expect(try await fixture.state(journey) == .queued)
        #expect(report.consents.map { "\($0.number) \($0.old.rawValue)→\($0.new.rawValue)" } == [
            "\(StoreFixture.contact) opted_in→opted_out", "+16125550190 unknown→opted_in",
        ])
    }
}
