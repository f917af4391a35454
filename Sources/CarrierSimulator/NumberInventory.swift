import Foundation

/// A number the account bought through `POST …/IncomingPhoneNumbers.json`.
public struct ProvisionedNumber: Sendable, Equatable {
    public var sid: String
    public var phoneNumber: String
    public var smsURL: String?
    public var statusCallback: String?
    public var dateCreated: Date
}

/// The numbers on offer, derived from the area code alone so tests and demos can predict them:
/// `+1 NNN 555-0100` to `+1 NNN 555-0104`, the range reserved for fiction.
enum NumberInventory {
    static let perAreaCode = 5

    /// North American area codes: three digits, the first 2–9.
    static func isValidAreaCode(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 3
            && (UInt8(ascii: "2")...UInt8(ascii: "9")).contains(bytes[0])
            && bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    static func candidates(areaCode: String) -> [String] {
        (0..<perAreaCode).map { "+1\(areaCode)55501\(String(format: "%02d", $0))" }
    }

    /// The area code `phoneNumber` would be found under by a search, or nil when no search offers it.
    static func areaCode(offering phoneNumber: String) -> String? {
        guard phoneNumber.utf8.count == 12, phoneNumber.hasPrefix("+1") else { return nil }
        let areaCode = String(phoneNumber.dropFirst(2).prefix(3))
        guard isValidAreaCode(areaCode), candidates(areaCode: areaCode).contains(phoneNumber) else { return nil }
        return areaCode
    }

    /// The default search when no `AreaCode` is given, one per country.
    static func defaultAreaCode(country: String) -> String {
        country == "CA" ? "604" : "415"
    }
}
