/// What one dispatcher commit did: the posts' results it applied and the messages it claimed.
public struct DispatchCommit: Sendable {
    /// The records that moved their message. A record whose message a status callback had already
    /// moved on (the carrier's report overtook the POST's answer) is left out: the database holds
    /// no such transition, so nothing may log or count one.
    public var recorded: [DispatchRecord]
    public var claimed: [ClaimedMessage]

    public init(recorded: [DispatchRecord], claimed: [ClaimedMessage]) {
        self.recorded = recorded
        self.claimed = claimed
    }
}
