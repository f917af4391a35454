import HeraldCore

/// The result of one POST, ready to be written.
public struct DispatchRecord: Sendable, Equatable {
    public var message: ClaimedMessage
    public var decision: OutcomeDecision
    public var httpStatus: Int?
    /// `segmentation = "client"`: the sids of the parts the carrier accepted, in part order.
    public var partSIDs: [String]

    public init(message: ClaimedMessage, decision: OutcomeDecision, httpStatus: Int?, partSIDs: [String] = []) {
        self.message = message
        self.decision = decision
        self.httpStatus = httpStatus
        self.partSIDs = partSIDs
    }
}
