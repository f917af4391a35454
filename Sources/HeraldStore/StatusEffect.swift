import HeraldCore

public enum StatusEffect: Sendable, Equatable {
    case moved(id: Int64, from: MessageState, to: MessageState)
    /// Duplicate, stale or out-of-order: recorded nowhere, changes nothing.
    case ignored(id: Int64, state: MessageState, why: String)
    case unknownMessage
}
