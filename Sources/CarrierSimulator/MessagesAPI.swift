import Foundation
import HeraldCore
import HTTPTypes
import Hummingbird
import Logging

/// `POST …/Messages.json`, `GET …/Messages.json` (the list) and `GET …/Messages/{sid}.json`,
/// answered the way the real carrier answers them, with injected faults layered on top.
struct MessagesAPI: Sendable {
    static let apiVersion = "2010-04-01"
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// The simulator's own code for a malformed or oversized part (Twilio's API has no `Udh`
    /// field): a 4xx, so a client takes it as a permanent failure, which a bad header is.
    static let invalidUDHCode = 21620

    let core: SimulatorCore

    func register(on router: Router<BasicRequestContext>) {
        let account = router.group("\(Self.apiVersion)/Accounts/:accountSid")
        account.post("Messages.json") { request, context in
            try await create(request, context: context)
        }
        account.get("Messages.json") { request, context in
            await list(request, context: context)
        }
        account.get("Messages/{messageSid}.json") { request, context in
            await fetch(request, context: context)
        }
    }

    private func create(_ request: Request, context: BasicRequestContext) async throws -> Response {
        if let refusal = core.refuseUnauthenticated(request, pathAccountSID: context.parameters.get("accountSid")) {
            return refusal
        }
        let (fault, latency) = core.state.beginMessagePost()
        await core.hold(for: latency)
        if let fault {
            return await answer(fault)
        }

        let form = try await core.formFields(request)
        guard let to = form["To"], !to.isEmpty else {
            return JSONReply.error(status: 400, code: 21604, message: "A 'To' phone number is required.")
        }
        guard let from = form["From"], !from.isEmpty else {
            return JSONReply.error(status: 400, code: 21603, message: "A 'From' phone number is required.")
        }
        guard let body = form["Body"], !body.isEmpty else {
            return JSONReply.error(status: 400, code: 21602, message: "Message body is required.")
        }
        guard PhoneNumber.isE164(to) else {
            return JSONReply.error(status: 400, code: 21211, message: "The 'To' number \(to) is not a valid phone number.")
        }
        guard body.unicodeScalars.count <= Segmenter.maximumCharacters else {
            return JSONReply.error(status: 400, code: 21617, message: "The concatenated message body exceeds the 1600 character limit.")
        }
        // A client that segments itself sends each part with its header; the part must be one
        // well-formed segment, as a single-segment gateway would insist.
        var header: UserDataHeader?
        if let udh = form["Udh"] {
            do {
                let parsed = try UserDataHeader.parse(hex: udh)
                try parsed.check(body: body)
                header = parsed
            } catch {
                return JSONReply.error(status: 400, code: Self.invalidUDHCode, message: error.description)
            }
        }
        if let header, let status = core.state.takePartFault(part: header.concatenation.part) {
            return await answer(.fail(status: status))
        }

        let key = request.headers[Self.idempotencyKey].flatMap { $0.isEmpty ? nil : $0 }
        // Like the real carrier, a number's own StatusCallback applies when the POST names none.
        let statusCallback = form["StatusCallback"].flatMap { $0.isEmpty ? nil : $0 }
            ?? core.state.number(phoneNumber: from)?.statusCallback
        let message = AcceptedMessage(
            sid: ResourceSID.make(prefix: "SM"),
            from: from,
            to: to,
            body: body,
            idempotencyKey: key,
            statusCallback: statusCallback,
            acceptedAt: Date(),
            numSegments: header == nil ? Segmenter().segment(body).segments : 1,
            status: "queued",
            errorCode: nil,
            udh: header.map { _ in form["Udh"] ?? "" },
            concatenation: header?.concatenation
        )
        let accountSID = core.configuration.accountSID
        switch core.state.accept(message) {
        case let .duplicate(original):
            // Rendering is deterministic (sorted keys, dates from acceptance), so this is the
            // first answer byte for byte without keeping every answer in memory.
            core.logger.debug("duplicate message POST", metadata: ["idempotency_key": "\(key ?? "")", "sid": "\(original.sid)"])
            return JSONReply.response(status: 201, MessageResource(message: original, accountSID: accountSID))
        case let .refused(reply):
            return JSONReply.error(reply)
        case let .accepted(deliveryError, dropAnswer):
            core.dispatcher.enqueue(DeliveryJob(
                sid: message.sid,
                statusCallback: statusCallback,
                deliveryError: deliveryError,
                due: .now + core.configuration.callbackDelay
            ))
            core.logger.info(
                "accepted message",
                metadata: [
                    "sid": "\(message.sid)", "to": "\(to)", "from": "\(from)",
                    "segments": "\(message.numSegments)", "idempotency_key": "\(key ?? "-")",
                ]
            )
            await core.hold(for: core.state.faults.answerDelay)
            if dropAnswer {
                core.logger.info("accept_then_drop: dropping the connection of an accepted message", metadata: ["sid": "\(message.sid)"])
                return Self.droppedConnection()
            }
            return JSONReply.response(status: 201, MessageResource(message: message, accountSID: accountSID))
        }
    }

    private func answer(_ fault: CountedFault) async -> Response {
        switch fault {
        case .drop:
            return Self.droppedConnection()
        case let .hang(duration):
            await core.hold(for: duration)
            return JSONReply.error(status: 504, code: 20504, message: "Simulated hang: the carrier did not answer in time.")
        case let .throttle(retryAfter):
            return JSONReply.error(
                status: 429,
                code: 20429,
                message: "Too Many Requests",
                headers: [.retryAfter: String(retryAfter)]
            )
        case let .fail(status):
            return JSONReply.error(status: status, code: 20000 + status, message: "Simulated carrier failure (HTTP \(status)).")
        }
    }

    /// Promises more body than it sends, then fails the writer: Hummingbird closes the
    /// connection mid-response, so the client sees a broken transfer, not an HTTP status.
    static func droppedConnection() -> Response {
        struct Dropped: Error {}
        let fragment = #"{"sid":"SM"#
        return Response(
            status: .created,
            headers: [.contentType: "application/json", .contentLength: "4096"],
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: fragment))
                throw Dropped()
            }
        )
    }

    private func list(_ request: Request, context: BasicRequestContext) async -> Response {
        if let refusal = core.refuseUnauthenticated(request, pathAccountSID: context.parameters.get("accountSid")) {
            return refusal
        }
        await core.hold(for: core.state.faults.latency)
        let accountSID = core.configuration.accountSID
        do {
            let query = try MessageListQuery(query: request.uri.query ?? "")
            let page = try query.page(of: core.state.messagesNewestFirst(matching: query), accountSID: accountSID)
            return JSONReply.response(status: 200, page)
        } catch {
            return JSONReply.error(status: 400, code: 20001, message: "\(error)")
        }
    }

    private func fetch(_ request: Request, context: BasicRequestContext) async -> Response {
        if let refusal = core.refuseUnauthenticated(request, pathAccountSID: context.parameters.get("accountSid")) {
            return refusal
        }
        await core.hold(for: core.state.faults.latency)
        guard let sid = context.parameters.get("messageSid"), let message = core.state.message(sid: sid) else {
            return JSONReply.error(status: 404, code: 20404, message: "The requested resource \(request.uri.path) was not found")
        }
        return JSONReply.response(status: 200, MessageResource(message: message, accountSID: core.configuration.accountSID))
    }
}
