import Foundation
import HeraldCore

// The seam between the daemon and its queue: protocols named for what the daemon needs, with
// only Core's and the store's plain values in their signatures. The SQLite store (`QueueDatabase`)
// implements every one; a second backend implements them again and the daemon does not change.
// Each store function fetches facts, asks Core's rules for a verdict and applies it, writing
// every state change and its event in one transaction (docs/states.md).

/// Producers' rows into messages: the outbox, and broadcasts' fan-out.
public protocol OutboxIntake: Sendable {
    /// Moves up to `limit` outbox rows into messages, oldest first, in one transaction.
    func ingest(limit: Int, now: Date, directory: Directory, rules: IngestRules) async throws -> IngestReport
    func outboxHasRows() async throws -> Bool
    /// Yields whenever producers' rows wait in the outbox; ends when its task is cancelled.
    func outboxArrivals() -> AsyncThrowingStream<Void, any Error>
    func hasOpenBroadcast() async throws -> Bool
    /// Fans out one batch of the oldest open broadcast; nil when none is open.
    func fanOutBroadcast(limit: Int, now: Date, directory: Directory, rules: IngestRules) async throws -> FanOutReport?
    /// Queues a text as a producer would, through the outbox; returns the id its message keeps.
    func insertOutbox(org: String, sender: String, to: String, body: String, kind: String) async throws -> Int64
    func isInOutbox(_ id: Int64) async throws -> Bool
}

/// The dispatcher's side: claims with their transitions, and the posts' results.
public protocol DispatchStore: Sendable {
    /// Writes `recording` (posts' results), then claims up to `limit` due messages, in one
    /// transaction; Core's claim rules, with `decide` last, judge each candidate.
    func claimDue(
        now: Date, limit: Int, recording: [DispatchRecord],
        lookback: @escaping @Sendable (ClaimCandidate) -> TimeInterval?,
        decide: @escaping @Sendable (ClaimCandidate) -> DispatchVerdict
    ) async throws -> DispatchCommit
    /// Writes posts' results; returns those that moved their message.
    func record(_ records: [DispatchRecord], now: Date) async throws -> [DispatchRecord]
    /// The earliest `not_before` of a claimable message.
    func nextDue() async throws -> Date?
    /// What an earlier run left `sending` is an unknown outcome each: looked up, held, or queued
    /// again as `unknownOutcome` says; returns how many.
    func reconcileSending(now: Date, unknownOutcome: UnknownOutcomePolicy) async throws -> Int
}

/// What the carrier tells Herald: status reports and replies.
public protocol CarrierReports: Sendable {
    func apply(_ report: StatusReport, now: Date) async throws -> StatusEffect
    func receive(_ inbound: InboundReport, now: Date, directory: Directory, forwarding: Bool) async throws -> StoredInbound
}

/// The consent ledger and what changes it.
public protocol ConsentStore: Sendable {
    func consent(org: String, number: String) async throws -> ConsentState
    func consentHistory(org: String, number: String) async throws -> [ConsentChange]
    func setConsent(_ request: ConsentRequest, now: Date) async throws -> ConsentEffect
    /// Many numbers at once, in one transaction.
    func setConsent(_ requests: [ConsentRequest], now: Date) async throws
    func requestOptIn(
        org: String, sender: SenderProfile, to number: String, body: String, policy: OptInRequestPolicy, now: Date,
        requestedBy: String, place: @escaping @Sendable (Date) -> Placement
    ) async throws -> OptInRequestResult
    func importContacts(_ file: ContactsCSV, org: String, changedBy: String?, dryRun: Bool, now: Date) async throws -> ContactsImportReport
    /// Journeys whose `expires_at` passed while they waited for consent become `expired`.
    func expireAwaitingConsent(now: Date, limit: Int) async throws -> [(id: Int64, org: String)]
}

/// Organizations, users, numbers, templates, groups and credits: what the directory is made of.
public protocol DirectoryStore: Sendable {
    func loadDirectory() async throws -> Directory
    /// Writes the configuration's organizations (`managed_by = config`).
    func upsert(organizations: [OrganizationRecord], now: Date) async throws
    func organizations(id: String?) async throws -> [OrganizationEntry]
    func createOrganization(id: String, settings: OrganizationSettings, actor: String, now: Date) async throws -> OrganizationEntry
    func changeOrganization(id: String, changes: OrganizationChanges, actor: String, now: Date) async throws -> OrganizationEntry
    func users(org: String) async throws -> [UserEntry]
    func addUser(org: String, id: String, settings: UserSettings, actor: String, now: Date) async throws -> UserEntry
    func changeUser(org: String, id: String, changes: UserChanges, actor: String, now: Date) async throws -> UserEntry
    func usersForwardingReplies() async throws -> [String]
    func setPaused(org: String, _ paused: Bool, now: Date) async throws -> Bool?
    func setPaused(sender number: String, _ paused: Bool, now: Date) async throws -> Bool?
    func userNumbers(org: String, ids: [String]?) async throws -> [UserNumbers]
    func pendingCount(from number: String) async throws -> Int
    func recordProvisioned(org: String, user: String, number: String, carrierSID: String, by actor: String, now: Date) async throws -> ProvisionRecording
    func recordReleased(org: String, user: String, by actor: String, now: Date, recheck: Date) async throws -> ReleaseRecording
    func resumeSenderReleased(from number: String, now: Date) async throws -> Int
    func templates(org: String) async throws -> [TemplateEntry]
    func setTemplate(org: String, name: String, text: String, actor: String, now: Date) async throws -> TemplateEntry
    func deleteTemplate(org: String, name: String, actor: String, now: Date) async throws
    func groups(org: String?) async throws -> [ContactGroupSummary]
    func group(org: String, name: String, limit: Int) async throws -> (ContactGroupSummary, [ContactGroupMember])
    func createGroup(org: String, name: String, actor: String?, now: Date) async throws -> ContactGroupSummary
    func changeMembers(org: String, name: String, _ refs: [GroupMemberRef], remove: Bool, actor: String?, now: Date) async throws -> GroupMembershipChange
    func deleteGroup(org: String, name: String, actor: String?, now: Date) async throws -> Int
    func allocateCredits(org: String, user: String, segments: Int, exactly: Bool, changedBy: String, note: String?, now: Date) async throws -> CreditAllocation
    func creditBalances(org: String, user: String?, month: String) async throws -> [CreditBalance]
}

/// What operators read and do through the admin socket.
public protocol OperatorStore: Sendable {
    /// Where the queue lives, as an operator names it (a file path, a server).
    var location: String { get }
    func countsByState() async throws -> [MessageState: Int]
    func message(_ id: Int64) async throws -> MessageSnapshot?
    func messages(state: MessageState?, held: HeldReason?, org: String?, to: String?, limit: Int) async throws -> [MessageSnapshot]
    func events(of id: Int64) async throws -> [EventSnapshot]
    func events(after id: Int64, limit: Int) async throws -> [EventSnapshot]
    func inbound(after id: Int64, limit: Int) async throws -> [InboundSnapshot]
    func feedPosition() async throws -> (event: Int64, inbound: Int64)
    func usage(org: String?, user: String?, months: Set<String>) async throws -> [UsageRow]
    /// Every month's usage of `org` (or of all).
    func usage(org: String?) async throws -> [UsageRow]
    func broadcast(_ id: Int64, state: String?, limit: Int) async throws -> (BroadcastRecord, [BroadcastTally], [BroadcastRecipient])?
    func retry(ids: [Int64]?, failedOfOrg org: String?, by actor: String, now: Date) async throws -> OperatorChange
    func cancel(ids: [Int64]?, org: String?, state: MessageState?, by actor: String, now: Date) async throws -> OperatorChange
    /// An online copy of the whole queue; returns its size in bytes. Refuses the live queue's own
    /// files always, and an existing file unless `force`.
    func backup(to path: String, force: Bool) async throws -> Int64
}

/// Reconciliation: texts still `sent` are looked up by sid until they have a final status or the
/// give-up age passes (docs/carrier.md, "Reconciliation").
public protocol ReconcileStore: Sendable {
    /// At start: texts still `sent` (their callbacks may have come while heraldd was down) are
    /// due within `ReconcileSchedule.startSpread` rather than at their scheduled time. Returns how many.
    func prepareReconciliation(now: Date) async throws -> Int
    /// Texts whose lookup is due, oldest due first.
    func dueReconciliations(now: Date, limit: Int) async throws -> [ReconcileTarget]
    /// When the next lookup falls due, if any text waits for one.
    func nextReconciliation() async throws -> Date?
    /// Applies what the carrier said, through the same forward-only rule as a status callback,
    /// and schedules the next lookup of what is still `sent`, or ends reconciliation for it.
    func applyLookups(_ answers: [ReconcileAnswer], now: Date) async throws -> ReconcileReport
    /// Texts still `sent` that wait for a lookup.
    func awaitingReconciliation() async throws -> Int
}

/// Retention: bodies go, what happened to them stays.
public protocol RetentionStore: Sendable {
    func purgeMessageBodies(finalBefore cutoff: Date, now: Date, limit: Int) async throws -> Int
    func purgeInboundBodies(receivedBefore cutoff: Date, now: Date, limit: Int) async throws -> Int
}

/// Replies waiting to be mailed to their users.
public protocol ReplyForwardQueue: Sendable {
    func dueForwards(now: Date, limit: Int) async throws -> [ReplyForward]
    func nextForwardDue() async throws -> Date?
    func forwardSent(_ id: Int64, attempts: Int, now: Date) async throws
    func forwardRetry(_ id: Int64, attempts: Int, error: String, retryAt: Date, now: Date) async throws
    func forwardFailed(_ id: Int64, attempts: Int, error: String, now: Date) async throws
}

/// A queue several heraldd share (PostgreSQL): heartbeats and leases (docs/instances.md). Claims
/// of such a queue take texts only from the sender numbers its last turn left this instance with.
public protocol InstanceLeases: Sendable {
    /// Writes this instance's heartbeat, then takes, renews and releases leases as
    /// `SenderLeaseRule` plans from the rows all instances share, in one transaction.
    func takeLeaseTurn(now: Date, leaseTime: TimeInterval) async throws -> LeaseTurn
    /// Texts left `sending` by instances whose heartbeat ran out are each an unknown outcome, as
    /// `unknownOutcome` says; returns how many. For the holder of the shared work.
    func recoverOrphanedSending(now: Date, unknownOutcome: UnknownOutcomePolicy) async throws -> Int
    /// A clean stop: heartbeat and leases go at once, for the others to take at their next turn.
    func leave() async throws
    /// The instances whose heartbeat has not run out, with what each holds.
    func liveInstances(now: Date) async throws -> [InstanceEntry]
}

/// Everything the daemon needs of its queue.
/// What the metrics endpoint reads at each scrape (docs/metrics.md): cheap, index-served queries.
public protocol MetricsStore: Sendable {
    func queueGauges(now: Date) async throws -> QueueGauges
    /// Transitions recorded after event `id` (`OperatorStore.feedPosition` gives the start).
    func transitions(after id: Int64) async throws -> TransitionCounts
}

public typealias QueueStore = OutboxIntake & DispatchStore & CarrierReports & ConsentStore & DirectoryStore & OperatorStore
    & ReconcileStore & RetentionStore & ReplyForwardQueue & MetricsStore
