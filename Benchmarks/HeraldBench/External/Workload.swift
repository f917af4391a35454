import Foundation

/// What the producer sends and to whom: 10 senders, 100 opted-in recipients, one-segment
/// conversational texts, as in the measurement.
struct Workload: Sendable {
    var carrierURL: String
    var inFlight: Int
    var senders: Int
    var recipients: Int

    /// Text `index` goes from sender index % senders to recipient (index / senders) % recipients,
    /// so consecutive texts belong to different conversations for senders × recipients texts
    /// running: heraldd posts one text per conversation at a time, and 64 posts in flight over
    /// only 100 conversations would measure that rule instead of the pipeline.
    func senderID(_ index: Int) -> String { BenchSettings.senderID(index % senders) }
    func recipient(_ index: Int) -> String { Self.recipientNumber((index / senders) % recipients) }
    func body(_ index: Int) -> String { BenchSettings.body(index) }

    var recipientNumbers: [String] { (0..<recipients).map(Self.recipientNumber) }

    /// Fictional 651-555-01xx and up, valid NANP syntax.
    static func recipientNumber(_ index: Int) -> String { "+1651555" + String(format: "%04d", 100 + index) }

    /// The ceiling's settings: the same endpoint, concurrency and text count.
    func ceilingSettings(texts: Int) -> BenchSettings {
        BenchSettings(carrierURL: carrierURL, messages: texts, inFlight: inFlight, senders: senders, timeout: .seconds(600))
    }
}
