import CoreMetrics
import Foundation
import HeraldCore
import HeraldStore
import Prometheus
import Synchronization

/// heraldd's metrics, the contract of docs/metrics.md. Services record through swift-metrics'
/// types; swift-prometheus keeps the values and writes the exposition. Each daemon has its own
/// registry rather than the process-wide `MetricsSystem`, so several daemons in one test
/// process do not share counters. Labels never carry a phone number or a message id: every
/// label value comes from a closed set (states, reasons, routes, commands, outcome classes).
public final class HeraldMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// Counters of a labelled family, made on first use and kept: the registry would find them
    /// again, but only under its lock and after building its key.
    private let counters = Mutex<[String: CoreMetrics.Counter]>([:])
    /// The last message event the transition counters have counted.
    private let countedEvents = Mutex<Int64?>(nil)

    let carrierLatency: CoreMetrics.Timer
    let writeTransactions: CoreMetrics.Timer
    let ingestLag: Recorder
    let rateLimitWaits: CoreMetrics.Counter
    /// `herald_carrier_requests_total` of an accepted post, nearly every post: kept at hand, since
    /// finding a labelled counter builds its key and takes a lock.
    private let acceptedRequests: CoreMetrics.Counter

    public init(version: String) {
        let r = registry
        func help(_ name: String) -> String { MetricCatalogue.entry(name).help }
        // Each name written once: swift-metrics' label and the registry's name must agree.
        func durations(_ name: String, _ buckets: [Duration]) -> CoreMetrics.Timer {
            CoreMetrics.Timer(label: name, dimensions: [], handler: r.makeDurationHistogram(name: name, labels: [], buckets: buckets, help: help(name)))
        }
        carrierLatency = durations("herald_carrier_request_duration_seconds", [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        ])
        writeTransactions = durations("herald_db_write_transaction_seconds", [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5),
        ])
        let lag = "herald_ingest_lag_seconds"
        ingestLag = Recorder(label: lag, dimensions: [], aggregate: true, handler: r.makeValueHistogram(
            name: lag, labels: [], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], help: help(lag)
        ))
        let waits = "herald_sender_rate_limit_waits_total"
        rateLimitWaits = CoreMetrics.Counter(label: waits, dimensions: [], handler: r.makeCounter(name: waits, help: help(waits)))
        let requests = "herald_carrier_requests_total"
        let accepted = [("outcome", "accepted"), ("status", "2xx")]
        acceptedRequests = CoreMetrics.Counter(label: requests, dimensions: accepted, handler: r.makeCounter(
            name: requests, labels: accepted, help: help(requests)
        ))
        r.makeGauge(name: "herald_build_info", labels: [("version", version)], help: help("herald_build_info")).set(to: 1)
        // Zero-valued series for what is known up front, so a dashboard sees them before they happen.
        for state in MessageState.allCases where !state.isFinal { gauge("herald_messages", [("state", state.rawValue)]).set(to: 0) }
        for reason in HeldReason.allCases { gauge("herald_messages_held", [("reason", reason.rawValue)]).set(to: 0) }
        gauge("herald_oldest_due_message_age_seconds", []).set(to: 0)
    }

    // MARK: Recording, called by the services

    /// One text's POST (all its parts) from hand-off to answer.
    func carrierRequest(_ outcome: CarrierOutcome, duration: Duration) {
        carrierLatency.recordNanoseconds(duration.wholeNanoseconds)
        let (kind, status): (String, String)
        switch outcome {
        case .accepted: return acceptedRequests.increment()
        case let .retryable(_, code, _): (kind, status) = ("retryable", code.map(String.init) ?? "none")
        case .throttled: (kind, status) = ("throttled", "429")
        case let .permanent(_, _, code): (kind, status) = ("permanent", String(code))
        }
        counter("herald_carrier_requests_total", [("outcome", kind), ("status", status)]).increment()
    }

    func webhook(route: String, outcome: String) {
        counter("herald_webhook_requests_total", [("route", route), ("outcome", outcome)]).increment()
    }

    func admin(command: String, outcome: String) {
        counter("herald_admin_requests_total", [("command", command), ("outcome", outcome)]).increment()
    }

    func reconcileLookup(_ answer: CarrierLookup) {
        let outcome = switch answer {
        case .found: "found"
        case .notFound: "not_found"
        case .throttled: "throttled"
        case .failed: "failed"
        }
        counter("herald_reconcile_lookups_total", [("outcome", outcome)]).increment()
    }

    func replyForward(outcome: String) {
        counter("herald_reply_forwards_total", [("outcome", outcome)]).increment()
    }

    func ingested(lags: [Double]) {
        for lag in lags { ingestLag.record(lag) }
    }

    func writeTransaction(_ duration: Duration) {
        writeTransactions.recordNanoseconds(duration.wholeNanoseconds)
    }

    // MARK: A scrape

    /// The transition counters count events recorded after this one: those of this run.
    func startCounting(afterEvent id: Int64) {
        countedEvents.withLock { $0 = id }
    }

    /// Reads the queue's gauges and new transitions, then writes the exposition.
    func scrape(_ store: any MetricsStore, now: Date) async throws -> [UInt8] {
        let gauges = try await store.queueGauges(now: now)
        for state in MessageState.allCases where !state.isFinal {
            gauge("herald_messages", [("state", state.rawValue)]).set(to: Double(gauges.byState[state] ?? 0))
        }
        for reason in HeldReason.allCases {
            gauge("herald_messages_held", [("reason", reason.rawValue)]).set(to: Double(gauges.held[reason] ?? 0))
        }
        let age = gauges.oldestDueSince.map { max(0, now.timeIntervalSince($0)) } ?? 0
        gauge("herald_oldest_due_message_age_seconds", []).set(to: age)
        if let wal = gauges.walBytes { gauge("herald_db_wal_bytes", []).set(to: Double(wal)) }
        if let after = countedEvents.withLock({ $0 }) {
            let counts = try await store.transitions(after: after)
            // Two scrapes at once must not both add the same events: only the one that still
            // finds the position it read from moves it.
            countedEvents.withLock { position in
                guard position == after else { return }
                position = counts.lastEventID
                for (key, count) in counts.counts {
                    counter("herald_transitions_total", [("to_state", key.toState), ("reason", key.reason)]).increment(by: Int64(count))
                }
            }
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }

    // MARK: Families

    private func counter(_ name: String, _ labels: [(String, String)]) -> CoreMetrics.Counter {
        let key = labels.reduce(name) { $0 + "\u{1F}" + $1.1 }
        return counters.withLock { made in
            if let counter = made[key] { return counter }
            let counter = CoreMetrics.Counter(label: name, dimensions: labels, handler: registry.makeCounter(
                name: name, labels: labels, help: MetricCatalogue.entry(name).help
            ))
            made[key] = counter
            return counter
        }
    }

    private func gauge(_ name: String, _ labels: [(String, String)]) -> Prometheus.Gauge {
        registry.makeGauge(name: name, labels: labels, help: MetricCatalogue.entry(name).help)
    }
}
