import Foundation
import HTTPTypes
import Hummingbird

/// The simulator's own endpoints: faults, inbound injection, audits. Unauthenticated, as they
/// exist only for tests and `make run` on loopback.
struct ControlAPI: Sendable {
    let core: SimulatorCore

    func register(on router: Router<BasicRequestContext>) {
        router.get("health") { _, _ in
            Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("stats") { _, _ in
            JSONReply.response(status: 200, core.state.stats())
        }
        router.get("sim/messages") { _, _ in
            JSONReply.response(status: 200, core.state.messages())
        }
        router.get("sim/faults") { _, _ in
            JSONReply.response(status: 200, FaultPlanResource(plan: core.state.faults))
        }
        router.post("sim/faults") { request, _ in
            try await updateFaults(request)
        }
        router.delete("sim/faults") { _, _ in
            core.state.updateFaults { $0 = FaultPlan() }
            return Response(status: .noContent)
        }
        router.post("sim/inbound") { request, _ in
            try await injectInbound(request)
        }
    }

    private func updateFaults(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1024 * 1024)
        do {
            let update = try JSONDecoder().decode(FaultUpdate.self, from: Data(body.readableBytesView))
            let plan = try core.state.updateFaults { plan in
                try update.apply(to: &plan)
                return plan
            }
            core.logger.info("faults updated", metadata: ["body": "\(String(buffer: body))"])
            return JSONReply.response(status: 200, FaultPlanResource(plan: plan))
        } catch let invalid as FaultUpdate.Invalid {
            return JSONReply.error(status: 400, code: 20001, message: invalid.description)
        } catch let error as DecodingError {
            return JSONReply.error(status: 400, code: 20001, message: "invalid fault JSON: \(error)")
        }
    }

    private struct InboundRequest: Decodable {
        var from: String
        var to: String
        var body: String
    }

    /// Answers with the webhook's own status and body, so a test driving this over HTTP sees
    /// exactly what the webhook said.
    private func injectInbound(_ request: Request) async throws -> Response {
        let raw = try await request.body.collect(upTo: 1024 * 1024)
        let inbound: InboundRequest
        do {
            inbound = try JSONDecoder().decode(InboundRequest.self, from: Data(raw.readableBytesView))
        } catch {
            return JSONReply.error(status: 400, code: 20001, message: "expected {\"from\":…,\"to\":…,\"body\":…}: \(error)")
        }
        do {
            let delivery = try await core.injector.inject(from: inbound.from, to: inbound.to, body: inbound.body)
            var headers: HTTPFields = [:]
            if let name = HTTPField.Name("X-Sim-Message-Sid") { headers[name] = delivery.messageSID }
            if let contentType = delivery.headers.first(where: { $0.0.lowercased() == "content-type" })?.1 {
                headers[.contentType] = contentType
            }
            return Response(
                status: .init(code: delivery.status),
                headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: delivery.body))
            )
        } catch {
            switch error {
            case .invalidNumber, .emptyBody:
                return JSONReply.error(status: 400, code: 21211, message: error.description)
            case .noWebhook:
                return JSONReply.error(status: 404, code: 21606, message: error.description)
            case .transport:
                return JSONReply.error(status: 502, code: 11200, message: error.description)
            }
        }
    }
}

/// The current fault plan in the same shape `POST /sim/faults` takes, for inspection.
struct FaultPlanResource: Encodable {
    var plan: FaultPlan

    private struct Counted: Encodable {
        var count: Int
        var status: Int?
        var retry_after: Int?
        var seconds: Double?
        var part: Int?
    }

    private struct ErrorFor: Encodable {
        var status: Int
        var code: Int
        var message: String
    }

    private struct DeliverErrorFor: Encodable {
        var status: String
        var code: Int
    }

    private struct AcceptThenDrop: Encodable {
        var count: Int
        var probability: Double
    }

    private struct LoseCallbacks: Encodable {
        var fraction: Double
    }

    enum CodingKeys: String, CodingKey {
        case latencyMilliseconds = "latency_ms"
        case failNext = "fail_next"
        case failPart = "fail_part"
        case throttleNext = "throttle_next"
        case hangNext = "hang_next"
        case dropNext = "drop_next"
        case errorFor = "error_for"
        case deliverErrorFor = "deliver_error_for"
        case exhaustedAreaCodes = "exhausted_area_codes"
        case acceptThenDrop = "accept_then_drop"
        case loseCallbacks = "lose_callbacks"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let latency = plan.latency.components
        try container.encode(latency.seconds * 1000 + latency.attoseconds / 1_000_000_000_000_000, forKey: .latencyMilliseconds)
        try container.encode(Counted(count: plan.failNext, status: plan.failStatus), forKey: .failNext)
        try container.encode(Counted(count: plan.failPartNext, status: plan.failPartStatus, part: plan.failPartNumber), forKey: .failPart)
        try container.encode(Counted(count: plan.throttleNext, retry_after: plan.throttleRetryAfterSeconds), forKey: .throttleNext)
        let hang = plan.hangDuration.components
        try container.encode(
            Counted(count: plan.hangNext, seconds: Double(hang.seconds) + Double(hang.attoseconds) / 1e18),
            forKey: .hangNext
        )
        try container.encode(Counted(count: plan.dropNext), forKey: .dropNext)
        try container.encode(
            plan.errorFor.mapValues { ErrorFor(status: $0.status, code: $0.code, message: $0.message) },
            forKey: .errorFor
        )
        try container.encode(
            plan.deliverErrorFor.mapValues { DeliverErrorFor(status: $0.status.rawValue, code: $0.code) },
            forKey: .deliverErrorFor
        )
        try container.encode(plan.exhaustedAreaCodes.sorted(), forKey: .exhaustedAreaCodes)
        try container.encode(
            AcceptThenDrop(count: plan.acceptThenDropNext, probability: plan.acceptThenDropProbability),
            forKey: .acceptThenDrop
        )
        try container.encode(LoseCallbacks(fraction: plan.loseCallbacksFraction), forKey: .loseCallbacks)
    }
}
