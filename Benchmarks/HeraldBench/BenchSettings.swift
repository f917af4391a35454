import Foundation

/// What one benchmark run measures against, shared by the Herald run and the curl ceiling so
/// both post the same requests to the same endpoint with the same concurrency.
struct BenchSettings: Sendable {
    var carrierURL: String
    var messages: Int
    var inFlight: Int
    var senders: Int
    var timeout: Duration
    /// Texts already `sent` and waiting for a lookup when the daemon starts (ReconcileBacklog).
    var reconcileBacklog = 0

    static let accountSID = "ACbench"
    static let authToken = "bench-token"
    static let org = "bench"
    /// High enough that the per-sender cap never binds: the benchmark measures the pipeline, not the limiter.
    static let senderRate = 100_000.0
    static let connectTimeoutSeconds = 1.0
    static let requestTimeoutSeconds = 5.0

    static func senderID(_ index: Int) -> String { "sender\(index)" }

    /// Fictional 555-01xx numbers, valid NANP syntax.
    static func senderNumber(_ index: Int) -> String { "+1612555" + String(format: "%04d", 100 + index) }

    static func recipient(_ index: Int) -> String { "+1651555" + String(format: "%04d", 100 + index % 100) }

    /// The bench organization and its senders, as TOML: open around the clock (the one closed
    /// minute is 23:59, as in the dev profile; conversational texts ignore windows anyway), and
    /// each user's rate far above any real carrier's.
    static func organizationTOML(senders: Int) -> String {
        var text = """
        [[orgs]]
        id = "\(org)"
        name = "Bench"
        timezone = "America/Chicago"
        window_start = "00:00"
        window_end = "23:59"

        """
        for index in 0..<senders {
            text += """

            [[orgs.users]]
            id = "\(senderID(index))"
            name = "Sender \(index)"
            number = "\(senderNumber(index))"
            rate = \(senderRate)

            """
        }
        return text
    }

    /// One GSM-7 segment, like most real traffic.
    static func body(_ index: Int) -> String { "Herald benchmark message \(index): your appointment is confirmed." }
}
