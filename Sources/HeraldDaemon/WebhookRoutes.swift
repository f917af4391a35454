import Foundation
import HeraldCarrier
import HeraldCore
import HeraldStore
import HTTPTypes
import Hummingbird
import Logging

/// The carrier's way back in: status callbacks and inbound replies, as signed form POSTs
/// (docs/carrier.md). A request whose signature does not verify changes nothing and gets 403.
struct WebhookRoutes: Sendable {
    static let statusPath = "/webhooks/status"
    static let inboundPath = "/webhooks/inbound"
    /// Carrier webhooks are a few hundred bytes; anything far larger is not one.
    static let maxBodyBytes = 64 * 1024

    let database: any CarrierReports & OperatorStore
    let signature: WebhookSignature
    /// Read for each request: with a system-chosen port it is known only once the listener is bound.
    let publicURL: @Sendable () -> String
    let clock: any WallClock
    let logger: Logger
    let activity: ActivityCounters
    let metrics: HeraldMetrics
    /// The organizations' texts and senders as they are now, for keyword answers.
    let directory: @Sendable () -> Directory
    /// Rung when a reply queued an answer or released waiting messages.
    let wake: @Sendable () -> Void
    /// Wakes the reply forwarder; nil when replies are not forwarded by email.
    let forwarding: (@Sendable () -> Void)?
    /// A store that cannot take callbacks or replies (a full disk) fails every webhook the carrier
    /// sends: logged as one condition each, not one line per request.
    let statusFailures = ConditionLog("webhook_status", what: "cannot record carrier status callbacks; the carrier is answered 500")
    let inboundFailures = ConditionLog("webhook_inbound", what: "cannot store inbound replies; the carrier is answered 500")

    func register(on router: Router<BasicRequestContext>) {
        router.post(RouterPath(stringLiteral: Self.statusPath)) { request, context in
            try await self.counted("status", self.signed(request, context: context, then: self.status))
        }
        router.post(RouterPath(stringLiteral: Self.inboundPath)) { request, context in
            try await self.counted("inbound", self.signed(request, context: context, then: self.inbound))
        }
    }

    /// Counts the answer under its route and outcome (docs/metrics.md).
    private func counted(_ route: String, _ response: Response) -> Response {
        let outcome = switch response.status.code {
        case 200..<300: "ok"
        case 403: "forged"
        case 413: "too_large"
        case 400..<500: "bad_request"
        default: "failed"
        }
        metrics.webhook(route: route, outcome: outcome)
        return response
    }

    /// Runs `handler` with the form fields (first value of each name) only if the signature holds.
    private func signed(
        _ request: Request, context: BasicRequestContext,
        then handler: (Request, [String: String]) async throws -> Response
    ) async throws -> Response {
        var request = request
        switch try await verifiedForm(&request, context: context) {
        case let .verified(form): return try await handler(request, Dictionary(form, uniquingKeysWith: { first, _ in first }))
        case let .refused(response): return response
        }
    }

    private enum Verification {
        case verified([(String, String)])
        case refused(Response)
    }

    /// The signed form parameters, or the response that refuses the request.
    private func verifiedForm(_ request: inout Request, context: BasicRequestContext) async throws -> Verification {
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.maxBodyBytes)
        } catch {
            return .refused(Response(status: .contentTooLarge))
        }
        let form = FormEncoding.decode(String(buffer: buffer))
        // The carrier signs the URL it called: our public base plus the path and query it used.
        let url = publicURL() + request.uri.description
        let given = request.headers[HTTPField.Name("X-Twilio-Signature")!]
        guard signature.isValid(signature: given, url: url, parameters: form) else {
            logger.warning("refused webhook with \(given == nil ? "no" : "a forged") X-Twilio-Signature", metadata: ["url": "\(url)"])
            return .refused(Response(status: .forbidden))
        }
        return .verified(form)
    }

    private func status(request: Request, fields: [String: String]) async throws -> Response {
        guard let sid = fields["MessageSid"] ?? fields["SmsSid"], let status = fields["MessageStatus"] ?? fields["SmsStatus"] else {
            logger.warning("status callback without MessageSid or MessageStatus ignored")
            return Response(status: .badRequest)
        }
        let messageID = request.uri.queryParameters.get("m").flatMap { Int64($0) }
        let report = StatusReport(
            messageID: messageID, sid: sid, status: status,
            errorCode: fields["ErrorCode"].flatMap { Int($0) }, segments: fields["NumSegments"].flatMap { Int($0) },
            part: request.uri.queryParameters.get(MessagePoster.partParameter).flatMap { Int($0) },
            parts: request.uri.queryParameters.get(MessagePoster.partsParameter).flatMap { Int($0) }
        )
        guard let effect = await storing(statusFailures, metadata: [LogKey.carrierSid: "\(sid)"], {
            try await database.apply(report, now: clock.now())
        }) else {
            return Response(status: .internalServerError)
        }
        switch effect {
        case let .moved(id, from, to):
            await logCallback(id: id, from: from, to: to, report: report)
        case let .ignored(id, state, why):
            logger.debug("status callback \(status) for message \(id) ignored: \(why)",
                         metadata: [LogKey.messageID: "\(id)", LogKey.state: "\(state.rawValue)", LogKey.carrierSid: "\(sid)"])
        case .unknownMessage:
            logger.notice("status callback for unknown carrier sid \(sid) ignored")
        }
        return Response(status: .noContent)
    }

    private func inbound(request: Request, fields: [String: String]) async throws -> Response {
        guard let from = fields["From"], let to = fields["To"] else {
            return Response(status: .badRequest)
        }
        guard let stored = await storing(inboundFailures, {
            try await database.receive(
                InboundReport(from: from, to: to, body: fields["Body"] ?? "", sid: fields["MessageSid"] ?? fields["SmsSid"]),
                now: clock.now(), directory: directory(), forwarding: forwarding != nil
            )
        }) else {
            return Response(status: .internalServerError)
        }
        if stored.isNew { log(stored, from: from) }
        if stored.forward != nil { forwarding?() }
        // An empty TwiML document: Herald answers through the queue, never inline.
        var headers = HTTPFields()
        headers[.contentType] = "text/xml"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>")))
    }

    /// Runs a webhook's store write; a failure is reported to `condition` and comes back nil, for a 500.
    private func storing<Value: Sendable>(
        _ condition: ConditionLog, metadata: Logger.Metadata = [:], _ write: () async throws -> Value
    ) async -> Value? {
        do {
            let value = try await write()
            condition.succeeded(logger: logger)
            return value
        } catch {
            condition.failed("\(error)", logger: logger, metadata: metadata)
            return nil
        }
    }

    /// The reply at info, and a consent change it made at notice: both are evidence an operator
    /// looks for. The text itself stays out of the journal.
    private func log(_ stored: StoredInbound, from: String) {
        let keyword = stored.keyword?.rawValue ?? "-"
        let action = stored.action?.rawValue ?? "-"
        logger.info("inbound message \(stored.id) from \(from): \(action)", metadata: .event(.inbound, org: stored.orgID, [
            "inbound_id": "\(stored.id)", "keyword": "\(keyword)", "action": "\(action)",
        ]))
        if let consent = stored.consent, consent.changed, let action = stored.action {
            let state = action == .optedOut ? ConsentState.optedOut : .optedIn
            logger.notice("\(from) is now \(state.rawValue) (was \(consent.old.rawValue)) by reply; \(consent.canceled.count) pending canceled, \(consent.released.count) released",
                          metadata: .event(.consentChanged, org: stored.orgID, [
                              "number": "\(from)", "consent": "\(state.rawValue)", "consent_type": "sms_response",
                              "changed_by": "\(ConsentChange.contactByReply)",
                          ]))
        }
        if stored.reply != nil || stored.consent?.released.isEmpty == false { wake() }
    }

    /// The callback's transition at debug, counted for the rollup. The org is looked up only when
    /// the line is written: the callback itself names just the carrier sid.
    private func logCallback(id: Int64, from: MessageState, to: MessageState, report: StatusReport) async {
        guard let event = HeraldEvent.callback(to: to, errorCode: report.errorCode) else { return }
        // A callback that finds the message not yet `sent` (it overtook the POST's answer, or the
        // answer was lost) confirms the post: the dispatcher, writing that answer, finds the
        // message moved on and counts nothing, so the post's `sent` is counted here.
        var tally = ActivityTally()
        if from != .sent, event != .sent { tally.add(1, .sent) }
        tally.add(1, event)
        activity.add(tally)
        guard logger.logLevel <= .debug else { return }
        let org = try? await database.message(id)?.orgID
        var more: Logger.Metadata = ["from_state": "\(from.rawValue)", "carrier_status": "\(report.status)"]
        if let code = report.errorCode { more["error_code"] = "\(code)" }
        logger.debug("message \(id) \(to.rawValue)\(report.errorCode.map { " with carrier error \($0)" } ?? "")",
                     metadata: .event(event, message: id, org: org ?? nil, state: to, carrierSid: report.sid, more))
    }
}
