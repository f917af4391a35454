import Foundation
import HeraldCore

public struct EventSnapshot: Sendable, Equatable {
    public var id: Int64
    public var messageID: Int64
    public var at: Date
    public var from: MessageState?
    public var to: MessageState
    public var reason: String?
    public var detail: String?
    public var httpStatus: Int?
    public var errorCode: Int?
}
