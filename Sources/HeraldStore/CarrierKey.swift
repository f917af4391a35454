import Foundation

/// The Idempotency-Key a message carries on every post: a random prefix per daemon run plus the
/// message id. Unique across runs and databases without the cost of a UUID per message, and the
/// same on every retry because it is stored with the message.
enum CarrierKey {
    private static let runPrefix: String = {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt32, radix: 16) }.joined()
    }()

    static func make(messageID: Int64) -> String {
        "hm-\(runPrefix)-\(messageID)"
    }
}
