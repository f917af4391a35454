import Foundation
import HeraldCore
import Testing

@Suite("PhoneNumber")
struct PhoneNumberTests {
    private func parsed(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> PhoneNumber {
        try #require(try? PhoneNumber.parse(text).get(), "\(text) should parse", sourceLocation: sourceLocation)
    }

    private func error(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> PhoneNumberError? {
        switch PhoneNumber.parse(text) {
        case let .success(number):
            Issue.record("\(text) parsed as \(number), expected an error", sourceLocation: sourceLocation)
            return nil
        case let .failure(error):
            return error
        }
    }

    // MARK: formats people type

    @Test("common US formats all read as the same number", arguments: [
        "(612) 555-0123", "612.555.0123", "+1 612 555 0123", "16125550123", "612-555-0123", "+16125550123",
        "6125550123", "1-612-555-0123", "1 (612) 555-0123", "+1 (612) 555-0123", "  612 555 0123  ",
        "612/555-0123", "+1-612-555-0123", "612\u{00A0}555\u{2011}0123", "612–555–0123", "\t+1.612.555.0123\n",
        "６１２５５５０１２３",
    ])
    func formats(text: String) throws {
        let number = try parsed(text)
        #expect(number.e164 == "+16125550123")
        #expect(number.areaCode == "612")
        #expect(number.region == .us)
        #expect(number.subdivision == "MN")
        #expect(number.timeZones == ["America/Chicago"])
        #expect(number.description == "+16125550123")
    }

    @Test func fictional555NumbersAreValidFormat() throws {
        #expect(try parsed("212-555-0100").e164 == "+12125550100")
        #expect(try parsed("(310) 555-0199").subdivision == "CA")
    }

    @Test("Canadian numbers", arguments: [
        ("416-555-0123", "ON", "America/Toronto"),
        ("604 555 0123", "BC", "America/Vancouver"),
        ("+1 514 555 0123", "QC", "America/Toronto"),
        ("403.555.0123", "AB", "America/Edmonton"),
        ("306-555-0123", "SK", "America/Regina"),
        ("204-555-0123", "MB", "America/Winnipeg"),
    ])
    func canada(text: String, province: String, zone: String) throws {
        let number = try parsed(text)
        #expect(number.region == .ca)
        #expect(number.subdivision == province)
        #expect(number.timeZones.contains(zone))
    }

    @Test func newfoundlandKeepsStJohns() throws {
        for text in ["709-555-0123", "879-555-0123"] {
            let number = try parsed(text)
            #expect(number.region == .ca)
            #expect(number.subdivision == "NL")
            #expect(number.timeZones.contains("America/St_Johns"))
            // 879 is 709's overlay; the generator corrects phonenumbers' Puerto Rico zone for it.
            #expect(!number.timeZones.contains("America/Puerto_Rico"))
        }
    }

    @Test func hawaiiAndAlaska() throws {
        let hawaii = try parsed("808-555-0123")
        #expect(hawaii.subdivision == "HI")
        #expect(hawaii.timeZones == ["Pacific/Honolulu"])
        let alaska = try parsed("907-555-0123")
        #expect(alaska.subdivision == "AK")
        #expect(alaska.timeZones.contains("America/Anchorage"))
        #expect(alaska.timeZones.contains("America/Adak"))
    }

    @Test("states with their own texting rules come from the area code", arguments: [
        ("305", "FL"), ("405", "OK"), ("410", "MD"), ("214", "TX"), ("203", "CT"), ("804", "VA"),
        ("206", "WA"), ("205", "AL"), ("504", "LA"), ("601", "MS"), ("801", "UT"), ("401", "RI"),
        ("202", "DC"),
    ])
    func stateRuleSubdivisions(areaCode: String, state: String) throws {
        #expect(try parsed("\(areaCode)-555-0123").subdivision == state)
    }

    // MARK: multi-zone area codes keep every zone

    @Test("split area codes list all their zones", arguments: [
        ("812", ["America/New_York", "America/Chicago"]),  // Indiana: Evansville corner is Central
        ("219", ["America/New_York", "America/Chicago"]),  // Indiana: Gary is Central
        ("270", ["America/New_York", "America/Chicago"]),  // Kentucky
        ("423", ["America/New_York", "America/Chicago"]),  // Tennessee
        ("850", ["America/New_York", "America/Chicago"]),  // Florida panhandle
        ("208", ["America/Boise", "America/Los_Angeles"]),  // Idaho: north is Pacific
        ("541", ["America/Los_Angeles", "America/Denver"]),  // Oregon: Malheur County
        ("308", ["America/Chicago", "America/Denver"]),  // Nebraska panhandle
        ("785", ["America/Chicago", "America/Denver"]),  // Kansas
        ("620", ["America/Chicago", "America/Denver"]),  // Kansas
        ("701", ["America/Chicago", "America/Denver"]),  // North Dakota
        ("605", ["America/Chicago", "America/Denver"]),  // South Dakota
        ("906", ["America/New_York", "America/Chicago"]),  // Michigan's Upper Peninsula
    ])
    func multiZone(areaCode: String, zones: [String]) throws {
        let number = try parsed("\(areaCode)-555-0123")
        for zone in zones {
            #expect(number.timeZones.contains(zone), "\(areaCode) lacks \(zone): \(number.timeZones)")
        }
        #expect(Set(number.timeZones).count == number.timeZones.count)
    }

    @Test func elPasoIsMountainUnlikeMostOfTexas() throws {
        let elPaso = try parsed("915-555-0123")
        #expect(elPaso.subdivision == "TX")
        #expect(elPaso.timeZones == ["America/Denver"])
        #expect(try parsed("214-555-0123").timeZones == ["America/Chicago"])
    }

    // MARK: the table itself

    @Test func everyAreaCodeHasAKnownZone() {
        let all = AreaCode.all
        #expect(all.count > 400)
        for code in all {
            #expect(!code.timeZones.isEmpty, "\(code.npa) has no zone")
            for zone in code.timeZones {
                #expect(TimeZone(identifier: zone) != nil, "\(code.npa): \(zone) is not a known IANA zone")
            }
        }
    }

    @Test func tableIsSortedUniqueAndConsistentWithLookup() {
        let npas = AreaCode.all.map(\.npa)
        #expect(npas == npas.sorted())
        #expect(Set(npas).count == npas.count)
        for code in AreaCode.all {
            #expect(AreaCode.lookup(code.npa) == code)
            #expect((200...999).contains(code.npa))
            #expect(code.npa % 100 != 11)
        }
        #expect(AreaCode.lookup(876) == nil)
        #expect(AreaCode.lookup(-1) == nil)
        #expect(AreaCode.lookup(5000) == nil)
    }

    @Test func everyUSAreaCodeHasAState() {
        let states: Set<String> = [
            "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
            "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND",
            "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC",
        ]
        let us = AreaCode.all.filter { $0.region == .us }
        for code in us {
            #expect(code.subdivision.map(states.contains) == true, "\(code.npa): \(code.subdivision ?? "nil")")
        }
        #expect(Set(us.compactMap(\.subdivision)) == states)
    }

    @Test func canadianSubdivisionsAreProvincesOrNil() {
        let provinces: Set<String> = ["AB", "BC", "MB", "NB", "NL", "NS", "ON", "PE", "QC", "SK", "NT", "NU", "YT"]
        for code in AreaCode.all where code.region == .ca {
            if let subdivision = code.subdivision { #expect(provinces.contains(subdivision), "\(code.npa)") }
        }
        #expect(AreaCode.lookup(902)?.subdivision == nil)  // Nova Scotia and Prince Edward Island share it
    }

    // MARK: other NANP members

    @Test func jamaicaIsRejectedByName() throws {
        let problem = try #require(error("+1 876 555 0100"))
        #expect(problem == .outsideUSAndCanada(number: "+1 876 555 0100", regionCode: "JM", place: "Jamaica", usTerritory: false))
        #expect(problem.description == "+1 876 555 0100 is a number in Jamaica (JM); Herald sends only to US and Canadian numbers")
    }

    @Test("other NANP countries are rejected", arguments: [
        ("242-555-0100", "BS"), ("(809) 555-0100", "DO"), ("18295550100", "DO"), ("+1 849 555 0100", "DO"),
        ("868 555 0100", "TT"), ("441-555-0100", "BM"), ("345-555-0100", "KY"), ("658-555-0100", "JM"),
    ])
    func otherCountries(text: String, region: String) throws {
        guard case let .outsideUSAndCanada(_, found, _, territory) = try #require(error(text)) else {
            Issue.record("\(text): wrong error")
            return
        }
        #expect(found == region)
        #expect(!territory)
    }

    @Test("US territories are not US for Herald", arguments: [
        ("787-555-0100", "PR", "Puerto Rico"), ("939-555-0100", "PR", "Puerto Rico"),
        ("671-555-0100", "GU", "Guam"), ("340-555-0100", "VI", "the US Virgin Islands"),
        ("684-555-0100", "AS", "American Samoa"), ("670-555-0100", "MP", "the Northern Mariana Islands"),
    ])
    func territories(text: String, region: String, place: String) throws {
        let problem = try #require(error(text))
        guard case let .outsideUSAndCanada(_, found, foundPlace, territory) = problem else {
            Issue.record("\(text): wrong error \(problem)")
            return
        }
        #expect(found == region)
        #expect(foundPlace == place)
        #expect(territory)
        #expect(problem.description.contains("a US territory"))
    }

    @Test func bahamasReadsNaturally() throws {
        #expect(try #require(error("+1 242 555 0100")).description
            == "+1 242 555 0100 is a number in the Bahamas (BS); Herald sends only to US and Canadian numbers")
    }

    // MARK: invalid numbers

    @Test func wrongLengths() {
        #expect(error("612555012") == .wrongLength(digits: "612555012"))
        #expect(error("612555012")?.description == "612555012 has 9 digits; a US/Canadian number has 10 (or 11 starting with 1)")
        #expect(error("26125550123")?.description
            == "26125550123 has 11 digits but does not start with 1; a US/Canadian number has 10 (or 11 starting with 1)")
        #expect(error("+1 612 555 012")?.description == "+1612555012 has 9 digits after +1; a US/Canadian number has 10")
        #expect(error("161255501234") == .wrongLength(digits: "161255501234"))
        #expect(error("5") == .wrongLength(digits: "5"))
        #expect(error("5")?.description.hasPrefix("5 has 1 digit;") == true)
        #expect(error(String(repeating: "9", count: 40)) == .wrongLength(digits: String(repeating: "9", count: 40)))
    }

    @Test func invalidAreaCodes() {
        #expect(error("123-555-0123") == .invalidAreaCode("123"))
        #expect(error("123-555-0123")?.description == "area code 123 is not a valid North American area code: area codes cannot start with 0 or 1")
        #expect(error("023-555-0123") == .invalidAreaCode("023"))
        #expect(error("1 023 555 0123") == .invalidAreaCode("023"))
        #expect(error("999-555-0123") == .unassignedAreaCode("999"))
        #expect(error("370-555-0123") == .unassignedAreaCode("370"))
        #expect(error("999-555-0123")?.description.contains("scripts/gen-area-codes.py") == true)
    }

    @Test("N11 codes are not area codes", arguments: ["211", "311", "411", "511", "611", "711", "811", "911"])
    func n11(areaCode: String) {
        #expect(error("\(areaCode)-555-0123") == .serviceCode(areaCode))
    }

    @Test func invalidExchanges() {
        #expect(error("612-055-0123") == .invalidExchange("055"))
        #expect(error("612-055-0123")?.description == "exchange 055 is invalid: NANP exchanges cannot start with 0 or 1")
        #expect(error("612-155-0123") == .invalidExchange("155"))
    }

    @Test("toll-free, premium and personal numbers have no location", arguments: [
        ("800-555-0100", NonGeographicKind.tollFree), ("888-555-0100", .tollFree), ("833-555-0100", .tollFree),
        ("900-555-0100", .premiumRate), ("500-555-0100", .personal), ("600-555-0100", .nonGeographicService),
    ])
    func nonGeographic(text: String, kind: NonGeographicKind) throws {
        let problem = try #require(error(text))
        #expect(problem == .nonGeographic(number: "+1 \(text.prefix(3)) 555 0100", kind: kind))
    }

    @Test func internationalNumbersNameTheirCountry() {
        #expect(error("+44 20 7946 0958") == .notNorthAmerican(number: "+44 20 7946 0958", callingCode: 44, country: "United Kingdom"))
        #expect(error("+44 20 7946 0958")?.description
            == "+44 20 7946 0958 is an international number (+44, United Kingdom); Herald sends only to US and Canadian numbers (+1)")
        #expect(error("+52 55 1234 5678") == .notNorthAmerican(number: "+52 55 1234 5678", callingCode: 52, country: "Mexico"))
        #expect(error("+353 1 234 5678") == .notNorthAmerican(number: "+353 1 234 5678", callingCode: 353, country: "Ireland"))
        #expect(error("+7 495 123 4567") == .notNorthAmerican(number: "+7 495 123 4567", callingCode: 7, country: "Russia"))
        #expect(error("011 44 20 7946 0958") == .notNorthAmerican(number: "011 44 20 7946 0958", callingCode: 44, country: "United Kingdom"))
        #expect(error("0044 20 7946 0958") == .notNorthAmerican(number: "0044 20 7946 0958", callingCode: 44, country: "United Kingdom"))
        #expect(error("+0 123 456 7890") == .unknownCallingCode(number: "+0 123 456 7890"))
        #expect(error("+999 123 4567") == .unknownCallingCode(number: "+999 123 4567"))
    }

    @Test func notPhoneNumbers() {
        #expect(error("") == .empty)
        #expect(error("   ") == .empty)
        #expect(error("")?.description == "no phone number given: the field is empty")
        #expect(error("call me") == .lettersFound("call me"))
        #expect(error("1-800-FLOWERS") == .lettersFound("1-800-FLOWERS"))
        #expect(error("612-555-0123 ext. 4") == .lettersFound("612-555-0123 ext. 4"))
        #expect(error("612-555-0123 x4")?.description.hasPrefix("not a phone number: letters found") == true)
        #expect(error("612#555#0123") == .unexpectedCharacter("#", in: "612#555#0123"))
        #expect(error("612-555-0123+") == .unexpectedCharacter("+", in: "612-555-0123+"))
        #expect(error("++1 612 555 0123") == .unexpectedCharacter("+", in: "++1 612 555 0123"))
        #expect(error("--") == .noDigits("--"))
    }

    // MARK: identity and storage

    @Test func equalityAndHashingFollowE164() throws {
        let a = try parsed("(612) 555-0123")
        let b = try parsed("+1 612 555 0123")
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(a != (try parsed("612-555-0124")))
    }

    @Test func codableIsTheBareE164String() throws {
        let number = try parsed("416-555-0123")
        let data = try JSONEncoder().encode([number])
        #expect(String(decoding: data, as: UTF8.self) == #"["+14165550123"]"#)
        let decoded = try JSONDecoder().decode([PhoneNumber].self, from: data)
        #expect(decoded == [number])
        #expect(decoded[0].region == .ca)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([PhoneNumber].self, from: Data(#"["+18765550100"]"#.utf8))
        }
    }

    @Test func regionRawValues() {
        #expect(NANPRegion.us.rawValue == "US")
        #expect(NANPRegion.ca.rawValue == "CA")
    }

    @Test func tableNamesItsSource() {
        #expect(AreaCode.tableSource.hasPrefix("phonenumbers "))
    }
}
