import Foundation

/// The only way rules learn the time: injected, so tests can move it by hand.
public protocol WallClock: Sendable {
    func now() -> Date
}

public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
