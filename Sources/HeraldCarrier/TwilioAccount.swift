import Foundation

/// The account's API root, `{base}/2010-04-01/Accounts/{sid}`, shared by the messages and the
/// numbers clients so both refuse the same configuration mistakes with the same words.
enum TwilioAccount {
    static func root(baseURL: String, accountSID sid: String, authToken: String) throws(TwilioCarrierClient.ConfigurationError) -> String {
        var base = baseURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        let lowered = base.lowercased()
        let afterScheme = lowered.hasPrefix("https://") ? base.dropFirst(8) : lowered.hasPrefix("http://") ? base.dropFirst(7) : nil
        guard let afterScheme, !afterScheme.isEmpty, !afterScheme.hasPrefix("/") else {
            throw .invalidBaseURL(baseURL)
        }
        guard !sid.isEmpty, sid.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") }) else {
            throw .invalidAccountSID(sid)
        }
        guard !authToken.isEmpty else { throw .missingAuthToken }
        return "\(base)/2010-04-01/Accounts/\(sid)"
    }
}
