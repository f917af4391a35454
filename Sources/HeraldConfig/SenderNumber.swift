import HeraldCore

/// Checks the number a sender sends from, as it must appear in the carrier's `From` field.
///
/// The file must hold the canonical form rather than anything `PhoneNumber.parse` would accept,
/// because the number is also the key producers and the carrier use to name the sender.
enum SenderNumber {
    static let tollFreeAreaCodes: Set<String> = ["800", "833", "844", "855", "866", "877", "888"]

    /// Nil when `text` is usable as-is, else the operator-facing reason.
    static func problem(_ text: String, type: HeraldConfiguration.NumberType) -> String? {
        let quoted = String(reflecting: text)
        if type == .shortCode {
            guard (5...6).contains(text.count), text.allSatisfy(\.isASCIIDigit), text.first != "0" else {
                return "\(quoted) is not a short code (5 or 6 digits, not starting with 0)"
            }
            return nil
        }
        guard text.hasPrefix("+1"), text.count == 12, text.dropFirst(2).allSatisfy(\.isASCIIDigit) else {
            return "\(quoted) is not an E.164 number +1XXXXXXXXXX (\"+1\" then 10 digits, no spaces or dashes)"
        }
        let areaCode = String(text.dropFirst(2).prefix(3))
        switch type {
        case .tollFree:
            // Toll-free numbers have no location, so PhoneNumber (geographic numbers only) refuses them.
            guard tollFreeAreaCodes.contains(areaCode), text.dropFirst(5).first.map({ $0 >= "2" }) == true else {
                return "\(quoted) is not a toll-free number (area code \(tollFreeAreaCodes.sorted().joined(separator: ", ")))"
            }
            return nil
        case .longCode:
            if tollFreeAreaCodes.contains(areaCode) {
                return "\(quoted) is a toll-free number; set number_type = \"toll_free\""
            }
            if case .failure(let error) = PhoneNumber.parse(text) {
                return "\(quoted) cannot be a long code: \(error)"
            }
            return nil
        case .shortCode:
            return nil
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
