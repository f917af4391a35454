import Foundation
import Synchronization

/// Everything the simulated carrier remembers, behind one lock. Each operation is a short,
/// non-suspending critical section, which is what lets the server take thousands of POSTs a
/// second from many event-loop threads without an actor hop per request.
final class SimulatorState: Sendable {
    private struct Storage {
        var faults = FaultPlan()
        var stats = SimulatorStats()
        var messages: [AcceptedMessage] = []
        var messageIndexBySID: [String: Int] = [:]
        /// Each recipient's messages, oldest first: a list filtered by `To` (heraldd's look-ups
        /// of lost answers) reads these, not every message. A scan of all of them, under this
        /// lock, took 16 ms at 20,000 messages in a debug build, and a hundred look-ups after a
        /// failover held up every instance's posts for seconds.
        var messageIndexesByTo: [String: [Int]] = [:]
        /// The message each idempotency key created; repeats get its first answer re-rendered.
        var sidByKey: [String: String] = [:]
        var numbersBySID: [String: ProvisionedNumber] = [:]
        var numberSIDByPhone: [String: String] = [:]
        /// How often each text (To, From, Body) and each idempotency key was taken on, to count
        /// texts the carrier ended up with more than once.
        var acceptancesByText: [TextIdentity: Int] = [:]
        var acceptancesByKey: [String: Int] = [:]
        var random = SystemRandomNumberGenerator()
        /// Where replies to numbers without an SmsUrl go; starts as the configuration's.
        var inboundURL: String?
    }

    private struct TextIdentity: Hashable {
        var to: String
        var from: String
        var body: String
    }

    enum Acceptance: Sendable {
        /// Taken on; `dropAnswer` when an `accept_then_drop` fault takes the answer away.
        case accepted(deliveryError: DeliveryError?, dropAnswer: Bool)
        /// `original` as it was when first accepted, so rendering it gives the first answer again.
        case duplicate(original: AcceptedMessage)
        case refused(CarrierErrorReply)
    }

    private let storage: Mutex<Storage>
    /// Off: a repeated `Idempotency-Key` is a new text with its own sid, as on a gateway that
    /// ignores the header.
    let dedupe: Bool

    init(dedupe: Bool = true, inboundURL: String? = nil) {
        self.dedupe = dedupe
        storage = Mutex(Storage(inboundURL: inboundURL))
    }

    /// A receiver that binds its own port is known only after the simulator it needs is running.
    var inboundURL: String? {
        get { storage.withLock { $0.inboundURL } }
        set { storage.withLock { $0.inboundURL = newValue } }
    }

    // MARK: Messages

    /// Counts the POST and picks the count-based fault, if any, it will suffer.
    func beginMessagePost() -> (fault: CountedFault?, latency: Duration) {
        storage.withLock { storage in
            storage.stats.requests += 1
            let fault = storage.faults.takeCountedFault()
            if fault != nil { storage.stats.faultsInjected += 1 }
            return (fault, storage.faults.latency)
        }
    }

    /// Decides a well-formed POST in one critical section, so two concurrent POSTs with one
    /// idempotency key can never both be accepted.
    func accept(_ message: AcceptedMessage) -> Acceptance {
        storage.withLock { storage in
            if dedupe, let key = message.idempotencyKey, let sid = storage.sidByKey[key], let index = storage.messageIndexBySID[sid] {
                storage.stats.duplicates[key, default: 0] += 1
                storage.stats.duplicateRequests += 1
                var original = storage.messages[index]
                original.status = "queued"
                original.errorCode = nil
                original.sentAt = nil
                return .duplicate(original: original)
            }
            if let reply = storage.faults.errorFor[message.to] {
                storage.stats.faultsInjected += 1
                return .refused(reply)
            }
            if dedupe, let key = message.idempotencyKey { storage.sidByKey[key] = message.sid }
            storage.messageIndexBySID[message.sid] = storage.messages.count
            storage.messageIndexesByTo[message.to, default: []].append(storage.messages.count)
            storage.messages.append(message)
            storage.stats.accepted += 1
            Self.countRepeats(of: message, in: &storage)
            let deliveryError = storage.faults.deliverErrorFor[message.to]
            if deliveryError != nil { storage.stats.faultsInjected += 1 }
            let dropAnswer = storage.faults.takeAcceptThenDrop(using: &storage.random)
            if dropAnswer {
                storage.stats.faultsInjected += 1
                storage.stats.acceptedThenDropped += 1
            }
            return .accepted(deliveryError: deliveryError, dropAnswer: dropAnswer)
        }
    }

    /// A text taken on again (same To, From and Body, or same idempotency key) is a second text
    /// the handset gets: what `accepted_more_than_once` in `/stats` reports.
    private static func countRepeats(of message: AcceptedMessage, in storage: inout Storage) {
        let text = TextIdentity(to: message.to, from: message.from, body: message.body)
        let earlierByText = storage.acceptancesByText[text, default: 0]
        storage.acceptancesByText[text] = earlierByText + 1
        if earlierByText > 0 {
            storage.stats.acceptedMoreThanOnce.byBody.extraAcceptances += 1
            if earlierByText == 1 { storage.stats.acceptedMoreThanOnce.byBody.texts += 1 }
        }
        guard let key = message.idempotencyKey else { return }
        let earlierByKey = storage.acceptancesByKey[key, default: 0]
        storage.acceptancesByKey[key] = earlierByKey + 1
        if earlierByKey > 0 {
            storage.stats.acceptedMoreThanOnce.byIdempotencyKey.extraAcceptances += 1
            storage.stats.acceptedMoreThanOnce.byIdempotencyKey.keys[key, default: 0] += 1
            if earlierByKey == 1 { storage.stats.acceptedMoreThanOnce.byIdempotencyKey.texts += 1 }
        }
    }

    /// The status a POST of part `part` fails with, if a part fault is armed for it.
    func takePartFault(part: Int) -> Int? {
        storage.withLock { storage in
            guard storage.faults.failPartNext > 0, storage.faults.failPartNumber == part else { return nil }
            storage.faults.failPartNext -= 1
            storage.stats.faultsInjected += 1
            return storage.faults.failPartStatus
        }
    }

    func message(sid: String) -> AcceptedMessage? {
        storage.withLock { storage in
            storage.messageIndexBySID[sid].map { storage.messages[$0] }
        }
    }

    /// Returns the updated message, for the callback that announces it.
    func updateStatus(sid: String, to status: String, errorCode: Int?) -> AcceptedMessage? {
        storage.withLock { storage in
            guard let index = storage.messageIndexBySID[sid] else { return nil }
            storage.messages[index].status = status
            storage.messages[index].errorCode = errorCode
            if status == "sent", storage.messages[index].sentAt == nil { storage.messages[index].sentAt = Date() }
            return storage.messages[index]
        }
    }

    func messages() -> [AcceptedMessage] {
        storage.withLock { $0.messages }
    }

    /// The messages a list query matches, newest first (the order they were taken on, reversed).
    func messagesNewestFirst(matching query: MessageListQuery) -> [AcceptedMessage] {
        storage.withLock { storage in
            guard let to = query.to else { return storage.messages.reversed().filter { query.matches($0) } }
            let messages = storage.messages
            return (storage.messageIndexesByTo[to] ?? []).reversed().map { messages[$0] }.filter { query.matches($0) }
        }
    }

    // MARK: Counters

    func stats() -> SimulatorStats {
        storage.withLock { $0.stats }
    }

    /// Whether the next status callback is lost on purpose; counts it if so.
    func loseCallback() -> Bool {
        storage.withLock { storage in
            guard storage.faults.losesCallback(using: &storage.random) else { return false }
            storage.stats.callbacksLost += 1
            return true
        }
    }

    func recordCallback(delivered: Bool) {
        storage.withLock { storage in
            if delivered { storage.stats.callbacksSent += 1 } else { storage.stats.callbacksFailed += 1 }
        }
    }

    func recordInboundPosted() {
        storage.withLock { $0.stats.inboundPosted += 1 }
    }

    // MARK: Faults

    var faults: FaultPlan {
        storage.withLock { $0.faults }
    }

    func updateFaults<Result>(_ change: (inout FaultPlan) throws -> Result) rethrows -> Result {
        try storage.withLock { try change(&$0.faults) }
    }

    // MARK: Numbers

    /// The search result: the area code's inventory minus numbers already bought.
    func availableNumbers(areaCode: String) -> [String] {
        storage.withLock { storage in
            guard !storage.faults.exhaustedAreaCodes.contains(areaCode) else { return [] }
            return NumberInventory.candidates(areaCode: areaCode).filter { storage.numberSIDByPhone[$0] == nil }
        }
    }

    func provision(phoneNumber: String, smsURL: String?, statusCallback: String?) -> Result<ProvisionedNumber, CarrierErrorReply> {
        let unavailable = CarrierErrorReply(status: 400, code: 21422, message: "Phone number \(phoneNumber) is not available.")
        guard let areaCode = NumberInventory.areaCode(offering: phoneNumber) else { return .failure(unavailable) }
        let number = ProvisionedNumber(
            sid: ResourceSID.make(prefix: "PN"),
            phoneNumber: phoneNumber,
            smsURL: smsURL,
            statusCallback: statusCallback,
            dateCreated: Date()
        )
        return storage.withLock { storage in
            guard !storage.faults.exhaustedAreaCodes.contains(areaCode), storage.numberSIDByPhone[phoneNumber] == nil else {
                return .failure(unavailable)
            }
            storage.numbersBySID[number.sid] = number
            storage.numberSIDByPhone[phoneNumber] = number.sid
            return .success(number)
        }
    }

    func release(numberSID: String) -> Bool {
        storage.withLock { storage in
            guard let number = storage.numbersBySID.removeValue(forKey: numberSID) else { return false }
            storage.numberSIDByPhone[number.phoneNumber] = nil
            return true
        }
    }

    func number(phoneNumber: String) -> ProvisionedNumber? {
        storage.withLock { storage in
            storage.numberSIDByPhone[phoneNumber].flatMap { storage.numbersBySID[$0] }
        }
    }

    func numbers() -> [ProvisionedNumber] {
        storage.withLock { $0.numbersBySID.values.sorted { $0.dateCreated < $1.dateCreated } }
    }
}
