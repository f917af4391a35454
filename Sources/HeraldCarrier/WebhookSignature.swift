import Crypto
import Foundation

/// `X-Twilio-Signature`: base64 HMAC-SHA1, keyed by the auth token, over the full URL the carrier
/// called followed by every POST parameter name and value, sorted by name (docs/carrier.md).
public struct WebhookSignature: Sendable {
    private let token: [UInt8]

    public init(authToken: String) {
        token = Array(authToken.utf8)
    }

    public func sign(url: String, parameters: [(String, String)]) -> String {
        var payload = url
        // Stable sort by name keeps repeated names in the order they were sent, as Twilio does.
        for (name, value) in parameters.enumerated().sorted(by: { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }).map(\.element) {
            payload += name
            payload += value
        }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(payload.utf8), using: SymmetricKey(data: token))
        return Data(mac).base64EncodedString()
    }

    /// Constant-time comparison, so a forger learns nothing from response timing.
    public func isValid(signature: String?, url: String, parameters: [(String, String)]) -> Bool {
        guard let signature, let given = Data(base64Encoded: signature) else { return false }
        let expected = Data(base64Encoded: sign(url: url, parameters: parameters)) ?? Data()
        guard given.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(given, expected) { difference |= a ^ b }
        return difference == 0
    }
}
