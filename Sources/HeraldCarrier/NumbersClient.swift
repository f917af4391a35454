import HeraldCore

/// Where the carrier sends a number's replies and status callbacks: Herald's webhook listener.
public struct NumberWebhooks: Sendable, Equatable {
    /// Inbound texts to the number (`SmsUrl`).
    public var smsURL: String
    /// Status of texts sent from the number when a post names no callback of its own.
    public var statusCallback: String

    public init(smsURL: String, statusCallback: String) {
        self.smsURL = smsURL
        self.statusCallback = statusCallback
    }
}

/// A number now on the account, as the carrier answered the purchase.
public struct PurchasedNumber: Sendable, Equatable {
    public var sid: String
    public var e164: String

    public init(sid: String, e164: String) {
        self.sid = sid
        self.e164 = e164
    }
}

/// How a release ended at the carrier. Either way the number is no longer on the account.
public enum NumberRelease: Sendable, Equatable {
    case released
    /// The carrier did not know the sid: released earlier (by hand in its console, say).
    case alreadyGone
}

/// The numbers seam (docs/carrier.md: search, buy, release): the libcurl client in production, the
/// simulator behind it in tests. Provisioning is rare and operator-driven, so unlike
/// ``CarrierClient`` its failures are errors for the operator, not outcomes to schedule.
public protocol NumbersClient: Sendable {
    /// Local numbers on offer in `areaCode`, in the carrier's order; empty when none are left.
    func search(areaCode: AreaCode) async throws(NumbersError) -> [String]
    /// Buys `e164` with Herald's webhooks set on it.
    func buy(_ e164: String, webhooks: NumberWebhooks) async throws(NumbersError) -> PurchasedNumber
    func release(sid: String) async throws(NumbersError) -> NumberRelease
}
