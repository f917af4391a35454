/// Whether a bought number could be attached to its user.
public enum ProvisionRecording: Sendable, Equatable {
    case recorded
    case unknownUser
    /// The user got a number meanwhile (another provisioning run, a configuration reload).
    case userHasNumber(String)
    /// The number is already active for someone else.
    case numberTaken(org: String, user: String?)
}

public enum ReleaseRecording: Sendable, Equatable {
    /// `held`: messages from the number Herald still held, now `sender_released`.
    case released(number: String, held: [Int64])
    case noActiveNumber
}
