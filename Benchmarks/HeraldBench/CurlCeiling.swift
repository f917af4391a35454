import Foundation
import HeraldCarrier

/// The ceiling: the same POSTs Herald makes, through the same libcurl multi engine with the same
/// concurrency, and nothing else (no database, no claims, no response parsing).
struct CurlCeiling {
    struct Result {
        var elapsed: Duration
        var cpu: Duration
        var failures: Int
        var firstFailure: String?
        var connectionsOpened: Int
    }

    let settings: BenchSettings

    func run() async throws -> Result {
        let http = try CurlMulti(
            maxInFlight: settings.inFlight,
            connectTimeout: .milliseconds(Int64(BenchSettings.connectTimeoutSeconds * 1000)),
            totalTimeout: .milliseconds(Int64(BenchSettings.requestTimeoutSeconds * 1000))
        )
        defer { http.shutdown() }
        let url = "\(settings.carrierURL)/2010-04-01/Accounts/\(BenchSettings.accountSID)/Messages.json"
        // A callback URL of the same length as the daemon's, though nothing ever calls it.
        let callbackBase = "http://127.0.0.1:65535/webhooks/status"
        let (messages, lanes, senders) = (settings.messages, settings.inFlight, settings.senders)

        let cpuBefore = ProcessCPU.used()
        let started = ContinuousClock.now
        // One loop per in-flight slot, each taking every `lanes`-th message: the multi always
        // has `lanes` transfers to run, as the daemon's dispatcher keeps it full.
        let failures = await withTaskGroup(of: (Int, String?).self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    var failed = 0
                    var first: String?
                    for index in stride(from: lane, to: messages, by: lanes) {
                        let request = Self.request(index, url: url, callbackBase: callbackBase, senders: senders)
                        let result = await http.perform(request)
                        if case .response(201, _, _) = result { continue }
                        failed += 1
                        if first == nil { first = "\(result)" }
                    }
                    return (failed, first)
                }
            }
            var total = 0
            var first: String?
            for await (failed, firstOfLane) in group {
                total += failed
                first = first ?? firstOfLane
            }
            return (total, first)
        }
        return Result(
            elapsed: started.duration(to: .now), cpu: ProcessCPU.used() - cpuBefore, failures: failures.0, firstFailure: failures.1,
            connectionsOpened: http.statistics.connectionsOpened
        )
    }

    /// What TwilioCarrierClient.send builds for one message.
    static func request(_ index: Int, url: String, callbackBase: String, senders: Int) -> HTTPRequest {
        let fields = [
            ("To", BenchSettings.recipient(index)),
            ("From", BenchSettings.senderNumber(index % senders)),
            ("Body", BenchSettings.body(index)),
            ("StatusCallback", "\(callbackBase)?m=\(index + 1)"),
        ]
        return HTTPRequest(
            method: "POST",
            url: url,
            headers: [
                ("Idempotency-Key", UUID().uuidString.lowercased()),
                ("Accept", "application/json"),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body: Array(FormEncoding.encode(fields).utf8),
            basicAuth: (BenchSettings.accountSID, BenchSettings.authToken)
        )
    }
}
