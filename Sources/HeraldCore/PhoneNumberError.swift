/// Why text could not be taken as a US or Canadian phone number. Each description tells
/// an operator what is wrong with the number as entered and what Herald accepts.
public enum PhoneNumberError: Error, Equatable, CustomStringConvertible {
    case empty
    case noDigits(String)
    case lettersFound(String)
    case unexpectedCharacter(String, in: String)
    /// `digits` as entered, with the leading "+" when there was one.
    case wrongLength(digits: String)
    case notNorthAmerican(number: String, callingCode: Int, country: String)
    case unknownCallingCode(number: String)
    case invalidAreaCode(String)
    case serviceCode(String)
    case unassignedAreaCode(String)
    case nonGeographic(number: String, kind: NonGeographicKind)
    /// A +1 number of another NANP member; `place` reads inside a sentence ("the Bahamas").
    case outsideUSAndCanada(number: String, regionCode: String, place: String, usTerritory: Bool)
    case invalidExchange(String)

    public var description: String {
        switch self {
        case .empty:
            return "no phone number given: the field is empty"
        case let .noDigits(text):
            return "not a phone number: \"\(text)\" has no digits"
        case let .lettersFound(text):
            return "not a phone number: letters found in \"\(text)\"; enter digits only, without extensions or vanity letters"
        case let .unexpectedCharacter(character, text):
            return "not a phone number: unexpected \"\(character)\" in \"\(text)\"; use digits, spaces, ( ) - . / and a leading +"
        case let .wrongLength(digits):
            return Self.lengthProblem(digits)
        case let .notNorthAmerican(number, code, country):
            return "\(number) is an international number (+\(code), \(country)); Herald sends only to US and Canadian numbers (+1)"
        case let .unknownCallingCode(number):
            return "\(number) is not a valid international number: no country has its calling code; Herald sends only to US and Canadian numbers (+1)"
        case let .invalidAreaCode(code):
            return "area code \(code) is not a valid North American area code: area codes cannot start with 0 or 1"
        case let .serviceCode(code):
            return "area code \(code) is not a valid North American area code: N11 codes such as 411 and 911 are service codes"
        case let .unassignedAreaCode(code):
            return "area code \(code) is not in service in the US or Canada (table from \(AreaCode.tableSource)); "
                + "check the number, or regenerate Sources/HeraldCore/AreaCodeTable.swift with scripts/gen-area-codes.py if the code is new"
        case let .nonGeographic(number, kind):
            return "\(number) is a \(kind) number with no location; Herald sends only to geographic US and Canadian numbers, whose local time it can tell"
        case let .outsideUSAndCanada(number, region, place, usTerritory):
            return usTerritory
                ? "\(number) is a number in \(place) (\(region)), a US territory; Herald sends only to numbers in the 50 states, DC and Canada"
                : "\(number) is a number in \(place) (\(region)); Herald sends only to US and Canadian numbers"
        case let .invalidExchange(exchange):
            return "exchange \(exchange) is invalid: NANP exchanges cannot start with 0 or 1"
        }
    }

    private static func lengthProblem(_ digits: String) -> String {
        if digits.hasPrefix("+1") {
            return "\(digits) has \(digits.count - 2) digits after +1; a US/Canadian number has 10"
        }
        let count = digits.count
        if count == 11 {
            return "\(digits) has 11 digits but does not start with 1; a US/Canadian number has 10 (or 11 starting with 1)"
        }
        return "\(digits) has \(count) digit\(count == 1 ? "" : "s"); a US/Canadian number has 10 (or 11 starting with 1)"
    }
}
