import HeraldCarrier
import HeraldCore

/// What the webhook answered when the simulator delivered an inbound message to it.
public struct InboundDelivery: Sendable {
    public var messageSID: String
    public var webhookURL: String
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
}

public enum InboundInjectionError: Error, CustomStringConvertible, Sendable {
    case invalidNumber(String)
    case emptyBody
    /// Neither a provisioned number with an SmsUrl nor `inboundURL` in the configuration.
    case noWebhook(to: String)
    case transport(url: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case let .invalidNumber(number): "\(number) is not an E.164 phone number"
        case .emptyBody: "an inbound message needs a body"
        case let .noWebhook(to): "no webhook for \(to): provision the number with an SmsUrl or start the simulator with an inbound URL"
        case let .transport(url, code, message): "posting to \(url) failed (curl error \(code)): \(message)"
        }
    }
}

/// Posts a handset's message to the account's webhook, signed as the carrier signs it. The post
/// runs in the caller's task (a `/sim/inbound` request or a test), so it needs no task of its own.
struct InboundInjector: Sendable {
    let configuration: SimulatorConfiguration
    let state: SimulatorState
    let http: CurlMulti

    func inject(from: String, to: String, body: String) async throws(InboundInjectionError) -> InboundDelivery {
        guard PhoneNumber.isE164(from) else { throw .invalidNumber(from) }
        guard PhoneNumber.isE164(to) else { throw .invalidNumber(to) }
        guard !body.isEmpty else { throw .emptyBody }
        guard let url = state.number(phoneNumber: to)?.smsURL ?? state.inboundURL else { throw .noWebhook(to: to) }

        let sid = ResourceSID.make(prefix: "SM")
        let fields: [(String, String)] = [
            ("MessageSid", sid),
            ("SmsMessageSid", sid),
            ("SmsSid", sid),
            ("AccountSid", configuration.accountSID),
            ("From", from),
            ("To", to),
            ("Body", body),
            ("NumMedia", "0"),
            ("NumSegments", String(Segmenter().segment(body).segments)),
            ("ApiVersion", MessagesAPI.apiVersion),
        ]
        let signature = WebhookSignature(authToken: configuration.authToken).sign(url: url, parameters: fields)
        let request = HTTPRequest(
            method: "POST",
            url: url,
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("X-Twilio-Signature", signature),
                ("User-Agent", "herald-carrier-sim"),
            ],
            body: Array(FormEncoding.encode(fields).utf8)
        )
        switch await http.perform(request) {
        case let .response(status, headers, responseBody):
            state.recordInboundPosted()
            return InboundDelivery(messageSID: sid, webhookURL: url, status: status, headers: headers, body: responseBody)
        case let .transportError(code, message, _):
            throw .transport(url: url, code: code, message: message)
        }
    }
}
