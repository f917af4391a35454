/// The JSON body of `POST /sim/faults`. Every field is optional: a POST sets what it names and
/// leaves the rest of the plan as it was (`error_for` and `deliver_error_for` add or replace
/// entries per destination; `exhausted_area_codes` replaces the list).
struct FaultUpdate: Decodable, Sendable {
    struct FailNext: Decodable, Sendable {
        var count: Int
        var status: Int?
    }

    struct FailPart: Decodable, Sendable {
        var count: Int
        var part: Int
        var status: Int?
    }

    struct ThrottleNext: Decodable, Sendable {
        var count: Int
        var retryAfter: Int?

        enum CodingKeys: String, CodingKey {
            case count
            case retryAfter = "retry_after"
        }
    }

    struct HangNext: Decodable, Sendable {
        var count: Int
        var seconds: Double?
    }

    struct DropNext: Decodable, Sendable {
        var count: Int
    }

    struct ErrorFor: Decodable, Sendable {
        var status: Int?
        var code: Int
        var message: String?
    }

    struct DeliverErrorFor: Decodable, Sendable {
        var status: String?
        var code: Int
    }

    struct AcceptThenDrop: Decodable, Sendable {
        var count: Int?
        var probability: Double?
    }

    struct LoseCallbacks: Decodable, Sendable {
        var fraction: Double
    }

    var latencyMilliseconds: Int?
    var failNext: FailNext?
    var failPart: FailPart?
    var throttleNext: ThrottleNext?
    var hangNext: HangNext?
    var dropNext: DropNext?
    var errorFor: [String: ErrorFor]?
    var deliverErrorFor: [String: DeliverErrorFor]?
    var exhaustedAreaCodes: [String]?
    var acceptThenDrop: AcceptThenDrop?
    var loseCallbacks: LoseCallbacks?

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

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// Checks everything before touching the plan, so a bad POST changes nothing.
    func apply(to plan: inout FaultPlan) throws {
        func requireCount(_ count: Int, _ name: String) throws {
            guard count >= 0 else { throw Invalid(description: "\(name).count must not be negative") }
        }
        func requireStatus(_ status: Int, _ name: String) throws {
            guard (400...599).contains(status) else { throw Invalid(description: "\(name).status must be an HTTP error status (400-599)") }
        }
        if let latencyMilliseconds, latencyMilliseconds < 0 { throw Invalid(description: "latency_ms must not be negative") }
        if let failNext {
            try requireCount(failNext.count, "fail_next")
            try requireStatus(failNext.status ?? 503, "fail_next")
        }
        if let failPart {
            try requireCount(failPart.count, "fail_part")
            try requireStatus(failPart.status ?? 503, "fail_part")
            guard (1...255).contains(failPart.part) else { throw Invalid(description: "fail_part.part must be between 1 and 255") }
        }
        if let throttleNext {
            try requireCount(throttleNext.count, "throttle_next")
            if let retryAfter = throttleNext.retryAfter, retryAfter < 0 { throw Invalid(description: "throttle_next.retry_after must not be negative") }
        }
        if let hangNext {
            try requireCount(hangNext.count, "hang_next")
            if let seconds = hangNext.seconds, !(seconds >= 0 && seconds <= 3600) { throw Invalid(description: "hang_next.seconds must be between 0 and 3600") }
        }
        if let dropNext { try requireCount(dropNext.count, "drop_next") }
        if let acceptThenDrop {
            guard acceptThenDrop.count != nil || acceptThenDrop.probability != nil else {
                throw Invalid(description: "accept_then_drop needs \"count\" or \"probability\"")
            }
            if let count = acceptThenDrop.count { try requireCount(count, "accept_then_drop") }
            if let probability = acceptThenDrop.probability, !(0...1).contains(probability) {
                throw Invalid(description: "accept_then_drop.probability must be between 0 and 1")
            }
        }
        if let loseCallbacks, !(0...1).contains(loseCallbacks.fraction) {
            throw Invalid(description: "lose_callbacks.fraction must be between 0 and 1")
        }
        var deliveryErrors: [String: DeliveryError] = [:]
        for (destination, reply) in errorFor ?? [:] {
            try requireStatus(reply.status ?? 400, "error_for[\(destination)]")
        }
        for (destination, failure) in deliverErrorFor ?? [:] {
            let raw = failure.status ?? DeliveryError.Status.undelivered.rawValue
            guard let status = DeliveryError.Status(rawValue: raw) else {
                throw Invalid(description: "deliver_error_for[\(destination)].status must be \"undelivered\" or \"failed\"")
            }
            deliveryErrors[destination] = DeliveryError(status: status, code: failure.code)
        }
        if let codes = exhaustedAreaCodes, let bad = codes.first(where: { !NumberInventory.isValidAreaCode($0) }) {
            throw Invalid(description: "exhausted_area_codes: \"\(bad)\" is not a three-digit area code")
        }

        if let latencyMilliseconds { plan.latency = .milliseconds(latencyMilliseconds) }
        if let failNext {
            plan.failNext = failNext.count
            plan.failStatus = failNext.status ?? 503
        }
        if let failPart {
            plan.failPartNext = failPart.count
            plan.failPartNumber = failPart.part
            plan.failPartStatus = failPart.status ?? 503
        }
        if let throttleNext {
            plan.throttleNext = throttleNext.count
            plan.throttleRetryAfterSeconds = throttleNext.retryAfter ?? 1
        }
        if let hangNext {
            plan.hangNext = hangNext.count
            if let seconds = hangNext.seconds { plan.hangDuration = .milliseconds(Int64((seconds * 1000).rounded())) }
        }
        if let dropNext { plan.dropNext = dropNext.count }
        if let count = acceptThenDrop?.count { plan.acceptThenDropNext = count }
        if let probability = acceptThenDrop?.probability { plan.acceptThenDropProbability = probability }
        if let loseCallbacks { plan.loseCallbacksFraction = loseCallbacks.fraction }
        for (destination, reply) in errorFor ?? [:] {
            plan.errorFor[destination] = CarrierErrorReply(
                status: reply.status ?? 400,
                code: reply.code,
                message: reply.message ?? "Simulated carrier error \(reply.code)"
            )
        }
        plan.deliverErrorFor.merge(deliveryErrors) { _, new in new }
        if let codes = exhaustedAreaCodes { plan.exhaustedAreaCodes = Set(codes) }
    }
}
