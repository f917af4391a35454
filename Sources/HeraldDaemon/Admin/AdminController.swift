import Foundation
import HeraldControl
import HeraldCore
import HeraldStore
import Logging

/// Carries out admin commands against the queue database and the shared directory. Every
/// answer is a response line; nothing a client sends can throw past this type.
struct AdminController: Sendable {
    let database: any QueueStore
    /// Organizations, users and numbers as every service sees them; refreshed after a change here.
    let directory: SharedDirectory
    let clock: any WallClock
    let logger: Logger
    let startedAt: Date
    let sendRate: @Sendable () -> Double
    /// Rung after a change that makes messages due now (retry, resume, send).
    let wake: @Sendable () -> Void
    /// The carrier's numbers API, for `numbers_provision` and `numbers_release`.
    var numbers: NumbersSettings?
    /// On a shared queue: the heartbeats and leases `status` lists, and this instance's id.
    var instances: (leases: any InstanceLeases, id: String)?

    static let version = HeraldVersion.current

    /// Every command's handler; the rest of this type and its extensions are what they call.
    var handlers: AdminHandlers {
        var handlers = AdminHandlers(directory: directory)
        handlers.on(Admin.status) { _, _ in try await status() }
        handlers.on(Admin.queue) { filter, _ in try await queue(filter) }
        handlers.on(Admin.show) { ref, _ in try await show(ref.message) }
        handlers.on(Admin.why) { ref, _ in try await why(ref.message) }
        handlers.on(Admin.usage) { request, _ in try await usage(org: request.org, user: request.user) }
        // The stream itself is AdminService's; this is its first answer.
        handlers.on(Admin.watch) { _, _ in Empty() }
        handlers.on(Admin.retry) { request, call in try await retry(try request.target, peer: call.peer) }
        handlers.on(Admin.cancel) { request, call in try await cancel(try request.target, peer: call.peer) }
        handlers.on(Admin.pause) { request, call in try await pause(try request.target, paused: true, peer: call.peer) }
        handlers.on(Admin.resume) { request, call in try await pause(try request.target, paused: false, peer: call.peer) }
        handlers.on(Admin.send, requires: .organization) { request, call in try await send(request, peer: call.peer) }
        handlers.on(Admin.backup) { request, call in try await backup(request.path, force: request.force, peer: call.peer) }
        registerConsent(in: &handlers)
        registerOrganizations(in: &handlers)
        registerCredits(in: &handlers)
        registerGroups(in: &handlers)
        registerNumbers(in: &handlers)
        return handlers
    }

    /// Runs a prepared request: the answer line, and the error code when it refuses (for the
    /// admin metrics). Nothing a handler throws gets past this.
    func answer(_ request: AdminHandlers.Prepared, id: RequestID?, call: inout AdminHandlers.Call) async -> (line: [UInt8], refused: AdminError.Code?) {
        do {
            return (try await request.run(&call), nil)
        } catch let error as AdminError {
            return (Self.refusal(id: id, error), error.code)
        } catch let error as DirectoryChangeError {
            return (Self.refusal(id: id, AdminError(error.code, error.description)), error.code)
        } catch let error as StoreError {
            if case .unknownMessage = error { return (Self.refusal(id: id, AdminError(.notFound, "\(error)")), .notFound) }
            logger.error("admin \(request.command) failed: \(error)")
            return (Self.refusal(id: id, AdminError(.failed, "\(error)")), .failed)
        } catch {
            logger.error("admin \(request.command) failed: \(error)")
            return (Self.refusal(id: id, AdminError(.failed, "\(error)")), .failed)
        }
    }

    /// One call through the path a socket line takes (written, read back, checked, run), for
    /// callers in the daemon's own process.
    func respond<Parameters, Result>(to call: AdminCall<Parameters, Result>, as peer: AdminPeer, upload: inout ContactsUpload) async -> [UInt8] {
        let request: AdminHandlers.Prepared
        let envelope: AdminEnvelope
        do {
            envelope = try AdminEnvelope.decode(try call.line(id: .number(1)).dropLast()).get()
            request = try handlers.prepare(envelope)
        } catch let error as AdminError {
            return Self.refusal(id: .number(1), error)
        } catch let refusal as AdminEnvelope.Refusal {
            return Self.refusal(id: refusal.id, refusal.error)
        } catch {
            return Self.refusal(id: .number(1), AdminError(.failed, "\(error)"))
        }
        var context = AdminHandlers.Call(peer: peer, upload: upload)
        defer { upload = context.upload }
        return await answer(request, id: envelope.id, call: &context).line
    }

    static func refusal(id: RequestID?, _ error: AdminError) -> [UInt8] {
        // Encoding a fixed shape of strings cannot fail; the fallback keeps the connection honest anyway.
        (try? AdminJSON.line(AdminResponse<Empty>(id: id, error: error)))
            ?? Array("{\"ok\":false,\"error\":{\"code\":\"failed\",\"message\":\"internal encoding error\"}}\n".utf8)
    }

    // MARK: read-only

    private func status() async throws -> StatusResult {
        let counts = try await database.countsByState()
        let directory = directory.current
        return StatusResult(
            version: Self.version, pid: getpid(), startedAt: startedAt, database: database.location,
            queue: Dictionary(uniqueKeysWithValues: MessageState.allCases.filter { !$0.isFinal }.map { ($0.rawValue, counts[$0] ?? 0) }),
            sentPerSecond: sendRate(),
            awaitingReconciliation: try await database.awaitingReconciliation(),
            pausedOrgs: directory.organizations.values.filter(\.paused).map(\.id).sorted(),
            pausedSenders: directory.senders.filter(\.paused).map(\.number).sorted(),
            instances: try await liveInstances()
        )
    }

    private func liveInstances() async throws -> [InstanceStatus]? {
        guard let instances else { return nil }
        return try await instances.leases.liveInstances(now: clock.now()).map { entry in
            InstanceStatus(
                id: entry.identity.id, host: entry.identity.host, pid: entry.identity.pid, version: entry.identity.version,
                startedAt: entry.identity.startedAt, seenAt: entry.seenAt, senders: entry.senders,
                sharedWork: entry.sharedWork, answering: entry.identity.id == instances.id
            )
        }
    }

    private func queue(_ filter: QueueFilter) async throws -> [MessageSummary] {
        try await database.messages(state: filter.state, held: filter.held, org: filter.org, to: filter.to, limit: filter.limit).map(Self.summary)
    }

    private func show(_ id: Int64) async throws -> MessageDetail {
        guard let message = try await database.message(id) else { throw await notFound(id) }
        let events = try await database.events(of: id)
        return MessageDetail(message: Self.summary(message), body: message.body, events: events.map(Self.record))
    }

    private func why(_ id: Int64) async throws -> WhyResult {
        guard let message = try await database.message(id) else { throw await notFound(id) }
        let zone = message.orgID.flatMap { directory.current.organization($0) }.flatMap { TimeZone(identifier: $0.timeZone) }
        let when = Self.format(message.notBefore, in: zone ?? .gmt)
        let explanation: String
        var mayGo: Date? = message.notBefore
        switch message.state {
        case .queued:
            explanation = message.notBefore <= clock.now() ? "due now: waiting for the dispatcher" : "queued for \(when)"
        case .scheduled:
            let reason = message.heldReason.map { "\($0.explanation) (\($0.rawValue))" } ?? "scheduled"
            explanation = "held: \(reason); may go at \(when)" + (message.detail.map { ". \($0)" } ?? "")
        case .awaitingConsent:
            explanation = "held: \(HeldReason.awaitingConsent.explanation); it goes once they opt in"
            mayGo = nil
        case .sending:
            explanation = "posted to the carrier; waiting for its answer"
            mayGo = nil
        case .sent:
            let accepted = "the carrier accepted it\(message.carrierSid.map { " as \($0)" } ?? "")"
            if let next = message.reconcileAt {
                let looked = message.reconcileLookups == 0 ? "" : " (\(message.reconcileLookups) lookups so far found it still sent)"
                explanation = "\(accepted); waiting for the delivery report: if none comes, Herald asks the carrier at "
                    + "\(Self.format(next, in: zone ?? .gmt))\(looked), until reconcile.give_up_after"
            } else if message.finalAt != nil {
                explanation = "\(accepted); the carrier still called it sent at reconcile.give_up_after, so reconciliation ended "
                    + "and it stays sent"
            } else {
                explanation = "\(accepted); waiting for the delivery report"
            }
            mayGo = nil
        default:
            let why = [message.reason, message.detail, message.errorCode.map { "carrier error \($0)" }].compactMap { $0 }
            explanation = "final: \(message.state.rawValue)" + (why.isEmpty ? "" : " — " + why.joined(separator: "; "))
            mayGo = nil
        }
        return WhyResult(id: id, state: message.state, heldReason: message.heldReason, mayGoAt: mayGo,
                         explanation: explanation)
    }

    /// This month and each of the 12 before, in each org's timezone; an org's total row first,
    /// then its users with any usage (or the one user asked for), zeros included.
    private func usage(org: String?, user: String?) async throws -> UsageResult {
        let directory = directory.current
        if let org, directory.organization(org) == nil { throw AdminError(.notFound, "no organization \(String(reflecting: org))") }
        let orgs = org.map { [$0] } ?? directory.organizations.keys.sorted()
        let now = clock.now()
        var records: [UsageRecord] = []
        for id in orgs {
            let zone = directory.organization(id).flatMap { TimeZone(identifier: $0.timeZone) } ?? .gmt
            let months = UsageMonth(timeZone: zone).keys(endingAt: now, count: 13)
            let rows = try await database.usage(org: id, user: user, months: Set(months))
            let users = user.map { [$0] } ?? Array(Set(rows.map(\.user))).sorted()
            for month in months {
                let ofMonth = rows.filter { $0.month == month }
                if user == nil {
                    records.append(UsageRecord(org: id, user: nil, month: month, messages: ofMonth.reduce(0) { $0 + $1.messages },
                                               segments: ofMonth.reduce(0) { $0 + $1.segments }))
                }
                for name in users {
                    let row = ofMonth.first { $0.user == name }
                    records.append(UsageRecord(org: id, user: name, month: month, messages: row?.messages ?? 0, segments: row?.segments ?? 0))
                }
            }
        }
        return UsageResult(rows: records)
    }

    // MARK: changes

    private func retry(_ target: RetryTarget, peer: AdminPeer) async throws -> ChangeResult {
        let change: OperatorChange
        switch target {
        case let .message(id): change = try await database.retry(ids: [id], failedOfOrg: nil, by: peer.description, now: clock.now())
        case let .failed(org): change = try await database.retry(ids: nil, failedOfOrg: org, by: peer.description, now: clock.now())
        }
        if !change.changed.isEmpty {
            logger.notice("retry: \(change.changed.count) messages queued again by \(peer.description)")
            wake()
        }
        return Self.result(change)
    }

    private func cancel(_ target: CancelTarget, peer: AdminPeer) async throws -> ChangeResult {
        let change: OperatorChange
        switch target {
        case let .message(id):
            change = try await database.cancel(ids: [id], org: nil, state: nil, by: peer.description, now: clock.now())
        case let .matching(org, state):
            guard state.canMove(to: .canceled) else {
                throw AdminError(.conflict, "messages in state \(state.rawValue) cannot be canceled; cancel queued, scheduled or awaiting_consent ones")
            }
            change = try await database.cancel(ids: nil, org: org, state: state, by: peer.description, now: clock.now())
        }
        if !change.changed.isEmpty { logger.notice("cancel: \(change.changed.count) messages canceled by \(peer.description)") }
        return Self.result(change)
    }

    private func pause(_ target: PauseTarget, paused: Bool, peer: AdminPeer) async throws -> PauseResult {
        let verb = paused ? "paused" : "resumed"
        switch target {
        case let .org(org):
            if !paused { directory.resume(org: org) }
            guard let changed = try await database.setPaused(org: org, paused, now: clock.now()) else {
                throw AdminError(.notFound, "no organization \(String(reflecting: org))")
            }
            try await directory.refresh()
            if changed { logger.notice("organization \(org) \(verb) by \(peer.description)") }
            if !paused { wake() }
            return PauseResult(org: org, sender: nil, paused: paused, changed: changed)
        case let .sender(input):
            let number: String
            switch PhoneNumber.parse(input) {
            case let .success(parsed): number = parsed.e164
            case let .failure(reason): throw AdminError(.badRequest, "\(String(reflecting: input)) is not a sender number: \(reason)")
            }
            if !paused { directory.resume(sender: number) }
            guard let changed = try await database.setPaused(sender: number, paused, now: clock.now()) else {
                throw AdminError(.notFound, "no active sender number \(number)")
            }
            try await directory.refresh()
            if changed { logger.notice("sender \(number) \(verb) by \(peer.description)") }
            if !paused { wake() }
            return PauseResult(org: nil, sender: number, paused: paused, changed: changed)
        }
    }

    private func send(_ send: SendRequest, peer: AdminPeer) async throws -> SendResult {
        // The row meets the ingester's checks like any producer's; its rejection, if any, shows in `show ID`.
        let id = try await database.insertOutbox(org: send.org, sender: send.from, to: send.to, body: send.text, kind: send.kind)
        logger.info("send: outbox row \(id) queued by \(peer.description)")
        wake()
        return SendResult(id: id)
    }

    private func backup(_ path: String, force: Bool, peer: AdminPeer) async throws -> BackupResult {
        let started = ContinuousClock.now
        let bytes: Int64
        do {
            bytes = try await database.backup(to: path, force: force)
        } catch let refusal as BackupRefusal {
            logger.warning("backup refused for \(peer.description): \(refusal)")
            if case .exists = refusal { throw AdminError(.conflict, refusal.description) }
            throw AdminError(.badRequest, refusal.description)
        } catch {
            throw AdminError(.failed, "backup to \(path) failed: \(error) (heraldd writes it as its own user; under the shipped unit only below /var/lib/herald)")
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        logger.notice("backup of \(database.location) written to \(path) (\(bytes) bytes) for \(peer.description)")
        return BackupResult(path: path, bytes: bytes, seconds: seconds)
    }

    // MARK: mapping

    private func notFound(_ id: Int64) async -> AdminError {
        if (try? await database.isInOutbox(id)) == true {
            return AdminError(.notFound, "message \(id) is still in the outbox: the ingester has not taken it in yet (is the org paused or heraldd stopping?)")
        }
        return AdminError(.notFound, "no message with id \(id)")
    }

    private static func result(_ change: OperatorChange) -> ChangeResult {
        ChangeResult(changed: change.changed, skipped: change.skipped.map { .init(id: $0.id, reason: $0.reason) })
    }

    static func summary(_ m: MessageSnapshot) -> MessageSummary {
        MessageSummary(
            id: m.id, org: m.orgID, sender: m.userID, from: m.from, to: m.to, kind: m.kind, state: m.state,
            displayStatus: m.state.displayStatus, heldReason: m.heldReason, reason: m.reason, detail: m.detail,
            notBefore: m.notBefore, expiresAt: m.expiresAt, segments: m.segments, encoding: m.encoding, attempts: m.attempts,
            carrierSid: m.carrierSid, errorCode: m.errorCode, createdAt: m.createdAt, updatedAt: m.updatedAt
        )
    }

    static func record(_ e: EventSnapshot) -> MessageEventRecord {
        MessageEventRecord(id: e.id, messageID: e.messageID, at: e.at, from: e.from, to: e.to, reason: e.reason,
                           detail: e.detail, httpStatus: e.httpStatus, errorCode: e.errorCode)
    }

    static func format(_ date: Date, in zone: TimeZone) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        return formatter.string(from: date)
    }
}

extension SendRequest: OrganizationScoped {}
