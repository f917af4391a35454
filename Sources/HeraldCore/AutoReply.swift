import Foundation

/// A user's automatic answer to a contact's reply (docs/domain.md, docs/consent.md): sent at most once per contact
/// per `period`, so a conversation never turns into a loop between two automatons.
public struct AutoReply: Sendable, Equatable {
    public var text: String
    public var period: TimeInterval

    public static let defaultPeriod: TimeInterval = 24 * 3600

    public init(text: String, period: TimeInterval = Self.defaultPeriod) {
        self.text = text
        self.period = period
    }
}
