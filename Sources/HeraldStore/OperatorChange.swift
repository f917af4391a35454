/// What an operator's retry or cancel did to each message it named.
public struct OperatorChange: Sendable, Equatable {
    public var changed: [Int64] = []
    public var skipped: [(id: Int64, reason: String)] = []

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.changed == rhs.changed && lhs.skipped.map(\.id) == rhs.skipped.map(\.id)
            && lhs.skipped.map(\.reason) == rhs.skipped.map(\.reason)
    }
}
