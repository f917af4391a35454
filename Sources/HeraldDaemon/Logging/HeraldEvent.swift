import HeraldCore
import Logging

/// The catalogue of log lines an operator may want to find again, each with the journal
/// `MESSAGE_ID` it carries (a 128-bit id, as sd-id128 makes them). The ids are fixed forever:
/// operators save `journalctl MESSAGE_ID=…` queries and alert rules on them. docs/logs.md lists
/// them, and a test holds the two together.
///
/// Per-message events are logged at `debug`; `summary` rolls them up at `info` every 10 s.
public enum HeraldEvent: String, CaseIterable, Sendable {
    case queued
    case held
    case rejected
    case sent
    case delivered
    case undelivered
    case failed
    case retried
    case throttled
    case expired
    case optedOut = "opted_out"
    case requeued
    case started
    case stopping
    case configReloaded = "config_reloaded"
    case summary
    case inbound
    case consentChanged = "consent_changed"
    /// An organization, user, template or credit balance changed over the admin socket.
    case directoryChanged = "directory_changed"
    case replyForwarded = "reply_forwarded"
    case replyForwardRetried = "reply_forward_retried"
    case replyForwardFailed = "reply_forward_failed"
    case numberProvisioned = "number_provisioned"
    case numberReleased = "number_released"
    /// A repeating failure (a full disk, an unreachable carrier) started; see `ConditionLog`.
    case conditionFailing = "condition_failing"
    /// The once-a-minute reminder, with a count, while it lasts.
    case conditionStillFailing = "condition_still_failing"
    case conditionRecovered = "condition_recovered"
    /// A lookup by sid moved a text still `sent` on, as its lost callback would have.
    case reconciled
    /// At start: texts still `sent` are looked up soon, their callbacks may have come while heraldd was down.
    case reconcileStarted = "reconcile_started"
    /// A text the carrier still calls `sent` at `reconcile.give_up_after` stays `sent` for good.
    case reconcileEnded = "reconcile_ended"
    /// On a shared queue: this instance took or handed back sender leases or the shared work, or stopped.
    case leasesChanged = "leases_changed"

    /// The journal's MESSAGE_ID: 32 lowercase hex digits, made once with `systemd-id128 new`.
    public var messageID: String {
        switch self {
        case .queued: "c25828be386b4e55a691775f2be05e87"
        case .held: "af4c19eed66a48f4809c4e76cdc76697"
        case .rejected: "f671f4fdec0842cf9c36393d855c4440"
        case .sent: "e68326a0ba92451bb3b67f214642c391"
        case .delivered: "999f93dc568b4e8881390023b4142f50"
        case .undelivered: "3202813993554b769d17dc7f47ed8e64"
        case .failed: "8032aaa2c3e947a09100a9f4a25405af"
        case .retried: "dd53146df5f34ecc9423c61cc269e90b"
        case .throttled: "413e0e1ca7c24c9e968f668b7e9d1183"
        case .expired: "b2df79863e03451a88f358dc3616f526"
        case .optedOut: "0f9ca597bb22413d96419daca46cfa91"
        case .requeued: "a59aa77a39614959b8f2d967cb3b94d3"
        case .started: "c3316471c38a48f3bbb3b3f7e068dbae"
        case .stopping: "f7c56065a4ed41bba4740d955e7fec33"
        case .configReloaded: "bf6385af54a84253a0800738388eddc8"
        case .summary: "84e45f9291d24132b2883f7cd584805b"
        case .inbound: "33fe858503134aaeaf346293886e8370"
        case .consentChanged: "06b266d034154713b25ab217bdace4c2"
        case .directoryChanged: "8c7ac721454f4036968119bcccbd4972"
        case .replyForwarded: "f2345395cf3b46a1aa1b1f7f23b28107"
        case .replyForwardRetried: "11e4e6e93eeb41a19dffcaf43289219c"
        case .replyForwardFailed: "e17ec0bea8ef4fcba539ad7a69580a6d"
        case .numberProvisioned: "3cb5c86e2db7418787260f851ca1669e"
        case .numberReleased: "6c8bcd1045de4522bcddf4d61b422be9"
        case .conditionFailing: "79c89c2884c94e33bb5e39b203796ee8"
        case .conditionStillFailing: "1c6232b180d3438fae274cfd25038532"
        case .conditionRecovered: "4874c74d2a43490fbeb08f517e71cf1c"
        case .reconciled: "15c0493a23bd4ec2b912cfcb76db4127"
        case .reconcileStarted: "0302d464507741e0a1b6ebcb7843dd2b"
        case .reconcileEnded: "69340d1428134fac8de821a4234b9e7d"
        case .leasesChanged: "1b86425ee27f43af918c3d997c33c265"
        }
    }

    /// The state a message is in after this event, when the event is about one message.
    public var state: MessageState? {
        switch self {
        case .queued, .requeued: .queued
        case .held, .retried, .throttled: .scheduled
        case .rejected: .rejected
        case .sent: .sent
        case .delivered: .delivered
        case .undelivered: .undelivered
        case .failed, .optedOut: .failed
        case .expired: .expired
        case .started, .stopping, .configReloaded, .summary, .inbound, .consentChanged, .directoryChanged, .replyForwarded,
             .replyForwardRetried, .replyForwardFailed, .numberProvisioned, .numberReleased, .conditionFailing,
             .conditionStillFailing, .conditionRecovered, .reconciled, .reconcileStarted, .leasesChanged: nil
        case .reconcileEnded: .sent
        }
    }

    /// The event a carrier status callback stands for.
    static func callback(to state: MessageState, errorCode: Int?) -> HeraldEvent? {
        switch state {
        case .sent: .sent
        case .delivered: .delivered
        case .undelivered: .undelivered
        case .failed: errorCode == CarrierErrorCode.unsubscribed ? .optedOut : .failed
        default: nil
        }
    }
}

/// Metadata keys of Herald's own log lines. In the journal each becomes `HERALD_<KEY>` (see
/// `JournalFields`), so `message_id` is `HERALD_MESSAGE_ID`; in logfmt they appear as written.
public enum LogKey {
    public static let event = "event"
    public static let messageID = "message_id"
    public static let org = "org"
    public static let state = "state"
    public static let carrierSid = "carrier_sid"
    public static let reason = "reason"

    /// The keys every per-message line may carry, in the order logfmt writes them.
    static let leading = [event, messageID, org, state, carrierSid]
}

extension Logger.Metadata {
    /// Metadata for one catalogued event: `logger.debug("message 42 sent", metadata: .event(.sent, message: 42, org: "acme"))`.
    /// - Parameter state: only where it differs from the event's own state (a throttled message that gave up is failed).
    public static func event(
        _ event: HeraldEvent, message id: Int64? = nil, org: String? = nil, state: MessageState? = nil,
        carrierSid: String? = nil, _ more: Logger.Metadata = [:]
    ) -> Logger.Metadata {
        var metadata = more
        metadata[LogKey.event] = .string(event.rawValue)
        if let id { metadata[LogKey.messageID] = .stringConvertible(id) }
        if let org { metadata[LogKey.org] = .string(org) }
        if let state = state ?? (id == nil ? nil : event.state) { metadata[LogKey.state] = .string(state.rawValue) }
        if let carrierSid { metadata[LogKey.carrierSid] = .string(carrierSid) }
        return metadata
    }
}
